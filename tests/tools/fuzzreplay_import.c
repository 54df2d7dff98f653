/* fuzzreplay_import.c -- tests/fuzz/fuzz_import.c without libFuzzer (see replay_main.c). */
#include "tests/fuzz/fuzz_import.c"
#include "tests/fuzz/replay_main.c"
