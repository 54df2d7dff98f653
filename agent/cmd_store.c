/* cmd_store.c -- placeholder until implemented. */
#include <stdio.h>
#include "agent/commands.h"
int
cmd_import(const struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)ctx; (void)argc; (void)argv;
	fputs("hpagent: import: not implemented yet\n", stderr);
	return 1;
}
int
cmd_publish(const struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)ctx; (void)argc; (void)argv;
	fputs("hpagent: publish: not implemented yet\n", stderr);
	return 1;
}
int
cmd_zones(const struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)ctx; (void)argc; (void)argv;
	fputs("hpagent: zones: not implemented yet\n", stderr);
	return 1;
}
int
cmd_show(const struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)ctx; (void)argc; (void)argv;
	fputs("hpagent: show: not implemented yet\n", stderr);
	return 1;
}
int
cmd_history(const struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)ctx; (void)argc; (void)argv;
	fputs("hpagent: history: not implemented yet\n", stderr);
	return 1;
}
int
cmd_diff(const struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)ctx; (void)argc; (void)argv;
	fputs("hpagent: diff: not implemented yet\n", stderr);
	return 1;
}
