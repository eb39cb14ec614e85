// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * frr-ebpf-yangcheck: validate `show ebpf X json` output, or an event
 * (datapath or detection), against the frr-ebpf YANG model (embedded at
 * build time), so the JSON and the model cannot drift.
 *
 *   frr-ebpf-yangcheck X [FILE]     operational data under /ebpf/state/X
 *   frr-ebpf-yangcheck -n [FILE]    a notification: an entry of
 *                                   `show ebpf events json` (its kind names
 *                                   the notification) or an RFC 7951
 *                                   {"frr-ebpf:NAME": {...}} object
 *
 * Reads stdin without FILE. Exit 0 valid, 1 invalid (libyang's message on
 * stderr), 2 usage or internal error.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <libyang/libyang.h>

#include "frr_ebpf_yang.h"

static const char *prog = "frr-ebpf-yangcheck";

static void usage(void)
{
	fprintf(stderr,
		"usage: %s COMMAND [FILE]   validate `show ebpf COMMAND json`\n"
		"       %s -n [FILE]        validate an event as a notification\n"
		"COMMAND: mirror status interfaces counters policies nexthop-groups route events\n"
		"         flaps hijacks\n"
		"events (notifications): mirrorMismatch flapping stable hijackOrigin\n"
		"         hijackMoreSpecific hijackWithdrawn hijackMoas hijackCleared\n",
		prog, prog);
}

static char *read_all(FILE *f)
{
	size_t len = 0, cap = 0;
	char *buf = NULL;

	for (;;) {
		if (cap - len < 4096) {
			char *nb = realloc(buf, cap += 65536);

			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
		}
		size_t n = fread(buf + len, 1, cap - len - 1, f);

		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

static bool is_num64(const struct lysc_node *snode)
{
	const struct lysc_type *t;

	if (!(snode->nodetype & (LYS_LEAF | LYS_LEAFLIST)))
		return false;
	t = snode->nodetype == LYS_LEAF
		    ? ((const struct lysc_node_leaf *)snode)->type
		    : ((const struct lysc_node_leaflist *)snode)->type;
	return t->basetype == LY_TYPE_INT64 || t->basetype == LY_TYPE_UINT64 ||
	       t->basetype == LY_TYPE_DEC64;
}

/*
 * RFC 7951 section 6.1 encodes int64, uint64 and decimal64 as JSON
 * strings, and libyang refuses them as numbers ("Invalid non-num64-encoded
 * value"); FRR's json_object_int_add prints numbers, as every FRR show
 * command does. So numbers whose schema node is 64-bit become strings here,
 * guided by the model; everything else reaches libyang untouched. Keys
 * without a schema node are left alone: libyang reports them.
 */
static json_object *num64_fix(json_object *j, const struct lysc_node *snode);

static void fix_children(json_object *obj, const struct lysc_node *parent,
			 const struct lys_module *mod)
{
	json_object_object_foreach(obj, key, val)
	{
		const struct lysc_node *c = lys_find_child(
			parent, mod, key, strlen(key), 0, 0);
		json_object *nv;

		if (!c)
			continue;
		nv = num64_fix(val, c);
		if (nv != val)
			/* replaces the value of an existing key: no rehash */
			json_object_object_add(obj, key, nv);
	}
}

static json_object *num64_fix(json_object *j, const struct lysc_node *snode)
{
	if (json_object_is_type(j, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(j); i++) {
			json_object *e = json_object_array_get_idx(j, i);
			json_object *ne = num64_fix(e, snode);

			if (ne != e)
				json_object_array_put_idx(j, i, ne);
		}
		return j;
	}
	if (json_object_is_type(j, json_type_object)) {
		fix_children(j, snode, snode->module);
		return j;
	}
	if (is_num64(snode) && (json_object_is_type(j, json_type_int) ||
				json_object_is_type(j, json_type_double)))
		return json_object_new_string(json_object_to_json_string_ext(
			j, JSON_C_TO_STRING_PLAIN));
	return j;
}

static int report(const struct ly_ctx *ctx, const char *what)
{
	const char *msg = ly_errmsg(ctx), *path = ly_errpath(ctx);

	fprintf(stderr, "%s: %s: %s\n", prog, what, msg ? msg : "invalid");
	if (path)
		fprintf(stderr, "%s: %s: %s\n", prog, what, path);
	return 1;
}

/* Operational data: the show output becomes /frr-ebpf:ebpf/state/X. */
static int check_state(struct ly_ctx *ctx, const char *what, json_object *in)
{
	char xpath[128];
	const struct lysc_node *snode;
	json_object *top, *ebpf, *state;
	struct lyd_node *tree = NULL;
	LY_ERR err;

	snprintf(xpath, sizeof(xpath), "/%s:ebpf/state/%s", frr_ebpf_yang_name,
		 what);
	snode = strchr(what, '/') ? NULL : lys_find_path(ctx, NULL, xpath, 0);
	if (!snode || snode->nodetype != LYS_CONTAINER) {
		fprintf(stderr, "%s: no show command %s in the model\n", prog,
			what);
		return 2;
	}
	if (!json_object_is_type(in, json_type_object)) {
		fprintf(stderr, "%s: %s: not a JSON object\n", prog, what);
		return 1;
	}
	num64_fix(in, snode);

	state = json_object_new_object();
	json_object_object_add(state, what, json_object_get(in));
	ebpf = json_object_new_object();
	json_object_object_add(ebpf, "state", state);
	top = json_object_new_object();
	snprintf(xpath, sizeof(xpath), "%s:ebpf", frr_ebpf_yang_name);
	json_object_object_add(top, xpath, ebpf);

	err = lyd_parse_data_mem(ctx,
				 json_object_to_json_string_ext(
					 top, JSON_C_TO_STRING_PLAIN),
				 LYD_JSON, LYD_PARSE_STRICT, LYD_VALIDATE_PRESENT,
				 &tree);
	json_object_put(top);
	lyd_free_all(tree);
	return err ? report(ctx, what) : 0;
}

/* "mirrorMismatch" -> "mirror-mismatch": event kinds are camelCase JSON
 * values, notification names YANG identifiers.
 */
static void kebab(const char *in, char *out, size_t size)
{
	size_t o = 0;

	for (; *in && o + 2 < size; in++) {
		if (isupper((unsigned char)*in)) {
			out[o++] = '-';
			out[o++] = tolower((unsigned char)*in);
		} else {
			out[o++] = *in;
		}
	}
	out[o] = '\0';
}

static int check_notif(struct ly_ctx *ctx, json_object *in)
{
	char name[96], xpath[128];
	const struct lysc_node *snode;
	json_object *body = NULL, *kind, *top;
	struct lyd_node *tree = NULL, *op = NULL;
	struct ly_in *lin = NULL;
	LY_ERR err;

	if (!json_object_is_type(in, json_type_object)) {
		fprintf(stderr, "%s: notification: not a JSON object\n", prog);
		return 1;
	}
	if (json_object_object_get_ex(in, "kind", &kind)) {
		/* an entry of show ebpf events json */
		kebab(json_object_get_string(kind), name, sizeof(name));
		body = json_object_get(in);
		json_object_object_del(body, "kind");
	} else if (json_object_object_length(in) == 1) {
		json_object_object_foreach(in, key, val)
		{
			const char *colon = strchr(key, ':');

			snprintf(name, sizeof(name), "%s", colon ? colon + 1 : key);
			body = json_object_get(val);
		}
	} else {
		fprintf(stderr, "%s: notification: neither an event (no kind) nor one {\"%s:NAME\": {...}}\n",
			prog, frr_ebpf_yang_name);
		return 1;
	}
	snprintf(xpath, sizeof(xpath), "/%s:%s", frr_ebpf_yang_name, name);
	snode = lys_find_path(ctx, NULL, xpath, 0);
	if (!snode || snode->nodetype != LYS_NOTIF) {
		fprintf(stderr, "%s: no notification %s in the model\n", prog,
			name);
		json_object_put(body);
		return 1;
	}
	if (!json_object_is_type(body, json_type_object)) {
		fprintf(stderr, "%s: notification %s: not a JSON object\n",
			prog, name);
		json_object_put(body);
		return 1;
	}
	num64_fix(body, snode);
	top = json_object_new_object();
	snprintf(xpath, sizeof(xpath), "%s:%s", frr_ebpf_yang_name, name);
	json_object_object_add(top, xpath, body);

	err = ly_in_new_memory(json_object_to_json_string_ext(
				       top, JSON_C_TO_STRING_PLAIN),
			       &lin);
	if (!err)
		err = lyd_parse_op(ctx, NULL, lin, LYD_JSON,
				   LYD_TYPE_NOTIF_YANG, &tree, &op);
	/* parsing only stores values; mandatory, when and must come here */
	if (!err)
		err = lyd_validate_op(tree, NULL, LYD_TYPE_NOTIF_YANG, NULL);
	ly_in_free(lin, 0);
	lyd_free_all(tree);
	json_object_put(top);
	return err ? report(ctx, name) : 0;
}

int main(int argc, char **argv)
{
	bool notif = argc > 1 && strcmp(argv[1], "-n") == 0;
	const char *what = notif ? NULL : argv[1];
	const char *file = argc > 2 ? argv[2] : NULL;
	enum json_tokener_error jerr;
	struct ly_ctx *ctx = NULL;
	json_object *in = NULL;
	char *text = NULL;
	FILE *f = stdin;
	int ret = 2;

	if (argc < 2 || argc > 3 || (what && what[0] == '-')) {
		usage();
		return 2;
	}
	if (file && !(f = fopen(file, "r"))) {
		fprintf(stderr, "%s: %s: %s\n", prog, file, strerror(errno));
		return 2;
	}
	text = read_all(f);
	if (f != stdin)
		fclose(f);
	if (!text) {
		fprintf(stderr, "%s: cannot read the input\n", prog);
		return 2;
	}
	in = json_tokener_parse_verbose(text, &jerr);
	if (!in) {
		fprintf(stderr, "%s: not JSON: %s\n", prog,
			json_tokener_error_desc(jerr));
		ret = 1;
		goto out;
	}

	/* libyang's messages are printed by report(), once. */
	ly_log_options(LY_LOSTORE_LAST);
	if (ly_ctx_new(NULL, LY_CTX_NO_YANGLIBRARY, &ctx) ||
	    lys_parse_mem(ctx, frr_ebpf_yang_text, LYS_IN_YANG, NULL)) {
		fprintf(stderr, "%s: the embedded model does not load: %s\n",
			prog, ctx ? ly_errmsg(ctx) : "no libyang context");
		goto out;
	}
	ret = notif ? check_notif(ctx, in) : check_state(ctx, what, in);
out:
	json_object_put(in);
	ly_ctx_destroy(ctx);
	free(text);
	return ret;
}
