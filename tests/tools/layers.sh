#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The architecture as a test (docs/hacking.md), run by "make check": which
# folder may include and link what, every folder has a rule, no include
# circle.  The rules and the checks are in layers.py beside this file:
#   lib/       lib/ only
#   store/     lib/, store/: the index of result files, below both sides
#   engine/    lib/, store/, engine/, the benchmark contract bench/bench.h
#              and the table of benchmarks bench/registry.h (suite configs)
#   bench/     lib/, engine/, bench/   (bench/helper/: libc only)
#   stress/    lib/, engine/, stress/
#   analysis/  lib/, store/, analysis/: it reads results, never benchmark code
#   cmd/       anything
# Objects are read from $O (default build/): make builds them first.
exec python3 "$(dirname "$0")/layers.py" "$@"
