/* fuzzreplay_dns.c -- tests/fuzz/fuzz_dns.c without libFuzzer (see replay_main.c). */
#include "tests/fuzz/fuzz_dns.c"
#include "tests/fuzz/replay_main.c"
