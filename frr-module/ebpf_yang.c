// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The module's YANG model (yang/frr-ebpf.yang, embedded at build time) in
 * zebra's libyang context, so `show yang module` lists it. FRR 8.4 gives a
 * module no way to register northbound callbacks: the model is the
 * contract, loaded, not wired.
 *
 * yang_module_load() exits zebra when a model does not load. So the model
 * is first loaded into the context here, where a failure is only logged;
 * yang_module_load() then finds it there and just records it.
 */
#include "lib/zebra.h"

#include "lib/yang.h"

#include "frr_compat.h"
#include "ebpf_errors.h"
#include "ebpf_yang.h"
#include "frr_ebpf_yang.h"

static struct yang_module_embed embed = {
	.mod_name = frr_ebpf_yang_name,
	.mod_rev = frr_ebpf_yang_revision,
	.data = frr_ebpf_yang_text,
	.format = LYS_IN_YANG,
};

void ebpf_yang_init(void)
{
	static bool embedded;

	if (yang_module_find(frr_ebpf_yang_name))
		return;
	if (!embedded) {
		yang_module_embed(&embed);
		embedded = true;
	}
	if (!ly_ctx_load_module(ly_native_ctx, frr_ebpf_yang_name,
				frr_ebpf_yang_revision, NULL)) {
		flog_err(EC_EBPF_YANG,
			 "ebpf: YANG model %s@%s not loaded (%s); zebra and the module work without it",
			 frr_ebpf_yang_name, frr_ebpf_yang_revision,
			 ly_errmsg(ly_native_ctx) ? ly_errmsg(ly_native_ctx)
						  : "unknown error");
		return;
	}
	fe_yang_module_load(frr_ebpf_yang_name);
}
