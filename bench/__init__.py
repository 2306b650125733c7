"""HangarStack's benchmark: `make bench` (python -m bench.run). See bench/README.md."""
