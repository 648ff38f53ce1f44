/* SPDX-License-Identifier: MIT */
/*
 * tools/xbuild/args.c - one option parser for every verb, driven by the
 * verb's table of options (struct cli_opt), and the usage and help it prints.
 */
#include <assert.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define HELP_COLUMN 20 /* width of the option column in the help */

struct parse {
    const struct cli_cmd *cmd;
    char *out;           /* the verb's options struct */
    uint32_t seen;       /* bit i: opts[i] was given */
    uint32_t typed_long; /* bit i: ...spelt --long */
};

/* "-c" or "--dry-run", as the user spelt it when both forms exist. */
static const char *spelling(const struct cli_opt *o, bool as_long, char buf[64])
{
    if (o->long_name && (as_long || !o->short_name))
        snprintf(buf, 64, "--%s", o->long_name);
    else
        snprintf(buf, 64, "-%c", o->short_name);
    return buf;
}

/* "-n|--config-only", "-f CFG", "--dry-run" (@sep between the two forms). */
static const char *forms(const struct cli_opt *o, const char *sep, char buf[64])
{
    const char short_form[3] = {'-', o->short_name, '\0'};

    snprintf(buf, 64, "%s%s%s%s%s%s", o->short_name ? short_form : "",
             o->short_name && o->long_name ? sep : "", o->long_name ? "--" : "",
             o->long_name ? o->long_name : "", o->arg ? " " : "", o->arg ? o->arg : "");
    return buf;
}

static void print_usage(FILE *f, const struct cli_cmd *cmd)
{
    char buf[64];

    fprintf(f, "usage: xbuild %s", cmd->name);
    for (size_t i = 0; i < cmd->n_opts; i++)
        if (!cmd->opts[i].in_operands)
            fprintf(f, " [%s]", forms(&cmd->opts[i], "|", buf));
    if (cmd->operands[0])
        fprintf(f, " %s", cmd->operands);
    fputc('\n', f);
}

void cli_help(const struct cli_cmd *cmd)
{
    char buf[64];

    print_usage(stdout, cmd);
    printf("%s\n\noptions:\n", cmd->summary);
    for (size_t i = 0; i < cmd->n_opts; i++) {
        const struct cli_opt *o = &cmd->opts[i];

        /* long-only options line up with the long forms of the others */
        printf("  %s%-*s %s\n", o->short_name ? "" : "    ",
               HELP_COLUMN - (o->short_name ? 0 : 4), forms(o, ", ", buf), o->help);
    }
    printf("  %-*s %s\n", HELP_COLUMN, "-h, --help", "show this help and exit");
}

int cli_usage_error(const struct cli_cmd *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "xbuild: %s: ", cmd->name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    print_usage(stderr, cmd);
    return 2;
}

/* Option @i given, spelt long or not, with @arg (NULL for a flag). */
static int take(struct parse *p, size_t i, bool as_long, const char *arg)
{
    const struct cli_opt *opts = p->cmd->opts, *o = &opts[i];
    char a[64], b[64];

    for (size_t k = 0; k < p->cmd->n_opts; k++)
        if (k != i && (p->seen >> k & 1) && (opts[k].excl & o->excl))
            return cli_usage_error(p->cmd, "%s and %s cannot be given together",
                                   spelling(&opts[k], p->typed_long >> k & 1, a),
                                   spelling(o, as_long, b));
    if (o->arg && (p->seen >> i & 1))
        return cli_usage_error(p->cmd, "%s given twice", spelling(o, as_long, a));
    p->seen |= UINT32_C(1) << i;
    if (as_long)
        p->typed_long |= UINT32_C(1) << i;
    if (o->arg)
        *(const char **)(void *)(p->out + o->off) = arg;
    else
        *(bool *)(void *)(p->out + o->off) = true;
    return CLI_CONTINUE;
}

static int help(const struct cli_cmd *cmd)
{
    cli_help(cmd);
    return fflush(stdout) == 0 ? 0 : 1;
}

static const struct cli_opt *find_long(const struct cli_cmd *cmd, const char *name,
                                       size_t len, size_t *k)
{
    for (*k = 0; *k < cmd->n_opts; (*k)++) {
        const char *l = cmd->opts[*k].long_name;

        if (l && strlen(l) == len && strncmp(l, name, len) == 0)
            return &cmd->opts[*k];
    }
    return NULL;
}

/* --NAME, --NAME=ARG or --NAME ARG; @name follows the "--". */
static int parse_long(struct parse *p, const char *name, int argc, char **argv, int *i)
{
    const char *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name), k;
    const struct cli_opt *o = find_long(p->cmd, name, len, &k);

    if (len == 4 && strncmp(name, "help", 4) == 0)
        return help(p->cmd);
    if (!o)
        return cli_usage_error(p->cmd, "unknown option \"--%.*s\"", (int)len, name);
    if (!o->arg && eq)
        return cli_usage_error(p->cmd, "--%s takes no argument", o->long_name);
    if (!o->arg)
        return take(p, k, true, NULL);
    if (eq)
        return take(p, k, true, eq + 1);
    if (*i + 1 >= argc)
        return cli_usage_error(p->cmd, "--%s needs an argument (%s)", o->long_name,
                               o->arg);
    return take(p, k, true, argv[++*i]);
}

static const struct cli_opt *find_short(const struct cli_cmd *cmd, char c, size_t *k)
{
    for (*k = 0; *k < cmd->n_opts; (*k)++)
        if (cmd->opts[*k].short_name == c)
            return &cmd->opts[*k];
    return NULL;
}

/* -c, -qp, -fFILE, -f FILE, -qf FILE; @s follows the "-". */
static int parse_shorts(struct parse *p, const char *s, int argc, char **argv, int *i)
{
    int rc = CLI_CONTINUE;

    for (; *s && rc == CLI_CONTINUE; s++) {
        const struct cli_opt *o;
        size_t k;

        if (*s == 'h')
            return help(p->cmd);
        o = find_short(p->cmd, *s, &k);
        if (!o)
            return cli_usage_error(p->cmd, "unknown option \"-%c\"", *s);
        if (!o->arg) {
            rc = take(p, k, false, NULL);
            continue;
        }
        if (!s[1] && *i + 1 >= argc)
            return cli_usage_error(p->cmd, "-%c needs an argument (%s)", *s, o->arg);
        return take(p, k, false, s[1] ? s + 1 : argv[++*i]);
    }
    return rc;
}

int cli_parse(const struct cli_cmd *cmd, int argc, char **argv, void *opts,
              struct cli_args *args)
{
    struct parse p = {.cmd = cmd, .out = opts};
    bool operands_only = false;
    int rc = CLI_CONTINUE, n = 0;

    assert(cmd->n_opts <= 32); /* struct parse has a bit for each */

    /* Operands move down to argv[1..n]: never past the word being read. */
    for (int i = 1; i < argc && rc == CLI_CONTINUE; i++) {
        char *a = argv[i];

        if (operands_only || a[0] != '-' || a[1] == '\0')
            argv[1 + n++] = a;
        else if (strcmp(a, "--") == 0)
            operands_only = true;
        else if (a[1] == '-')
            rc = parse_long(&p, a + 2, argc, argv, &i);
        else
            rc = parse_shorts(&p, a + 1, argc, argv, &i);
    }
    *args = (struct cli_args){.v = argv + 1, .n = n};
    return rc;
}
