/* fuzzreplay_dnstcp.c -- tests/fuzz/fuzz_dnstcp.c without libFuzzer (see replay_main.c). */
#include "tests/fuzz/fuzz_dnstcp.c"
#include "tests/fuzz/replay_main.c"
