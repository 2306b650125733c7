import os
import uuid

from core import ids


def test_ids_are_random_version_4_uuids():
    drawn = [ids.random_uuid() for _ in range(3 * ids.POOL_SIZE)]  # refills the pool more than once
    parsed = [uuid.UUID(text) for text in drawn]
    assert {(u.version, u.variant) for u in parsed} == {(4, uuid.RFC_4122)}
    assert [str(u) for u in parsed] == drawn
    assert len(set(drawn)) == len(drawn)
    # Only the version and variant bits are fixed: the digits beside them stay random.
    assert len({text[15] for text in drawn}) > 1
    assert {text[19] for text in drawn} == set("89ab")


def test_the_hex_form_is_the_same_id_without_dashes():
    text = ids.random_hex()
    assert len(text) == 32
    assert uuid.UUID(text).version == 4


def test_a_forked_child_never_hands_out_its_parents_pooled_ids():
    ids.random_uuid()  # the parent's pool is now full of ids it has not handed out
    left_in_parent = set(ids._pool)
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the child reports what it draws, then leaves without running pytest's exit
        os.write(write, "\n".join(ids.random_uuid() for _ in range(8)).encode())
        os._exit(0)
    os.close(write)
    os.waitpid(child, 0)
    with os.fdopen(read) as pipe:
        drawn_in_child = set(pipe.read().split())
    assert len(drawn_in_child) == 8
    assert drawn_in_child.isdisjoint(left_in_parent)
