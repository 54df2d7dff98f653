/* cmd_serve.c -- placeholder until implemented. */
#include <stdio.h>
#include "agent/commands.h"
int
cmd_serve(const struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)ctx; (void)argc; (void)argv;
	fputs("hpagent: serve: not implemented yet\n", stderr);
	return 1;
}
int
cmd_notify(const struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)ctx; (void)argc; (void)argv;
	fputs("hpagent: notify: not implemented yet\n", stderr);
	return 1;
}
int
cmd_status(const struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)ctx; (void)argc; (void)argv;
	fputs("hpagent: status: not implemented yet\n", stderr);
	return 1;
}
