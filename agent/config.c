/* config.c -- placeholder until implemented. */
#include "agent/config.h"
int config_load(const char *path, FILE *errs, struct hp_config **out)
{ (void)path; (void)out; fputs("config: not implemented yet\n", errs); return -1; }
