/* fuzzreplay_config.c -- tests/fuzz/fuzz_config.c without libFuzzer (see replay_main.c). */
#include "tests/fuzz/fuzz_config.c"
#include "tests/fuzz/replay_main.c"
