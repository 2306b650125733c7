import os

from core import process


def test_the_process_id_is_this_processs_own_in_a_forked_child_too():
    assert process.pid() == os.getpid()
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the child reports what it is told, then leaves without running pytest's exit
        os.write(write, f"{process.pid()} {os.getpid()}".encode())
        os._exit(0)
    os.close(write)
    os.waitpid(child, 0)
    with os.fdopen(read) as pipe:
        told, actual = pipe.read().split()
    assert told == actual == str(child)
    assert process.pid() == os.getpid() != child
