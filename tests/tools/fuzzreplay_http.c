/* fuzzreplay_http.c -- tests/fuzz/fuzz_http.c without libFuzzer (see replay_main.c). */
#include "tests/fuzz/fuzz_http.c"
#include "tests/fuzz/replay_main.c"
