// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fast-path CLI: `ebpf fast-path interface IFNAME MODE` (global, written
 * back by the module's config writer), the older `ebpf fast-path MODE`
 * under an interface (8.4 only, same effect, written back globally),
 * `show ebpf interfaces|counters [json]`, `clear ebpf counters`.
 */
#include "lib/zebra.h"

#include "lib/command.h"
#include "lib/if.h"
#include "lib/json.h"
#include "lib/vrf.h"
#include "lib/vty.h"
#include "zebra/interface.h"

#include "ebpf_fastpath.h"
#include "ebpf_fwdstats.h"
#include "ebpf_vty.h"

#define FP_MODES "<xdp|xdp-generic|tc>"
#define FP_MODES_HELP                                                          \
	"Native XDP in the driver (fastest)\n"                                 \
	"Generic (skb) XDP: any driver\n"                                      \
	"TC (tcx) ingress\n"

/*
 * Set (mode) or remove (EBPF_FP_NONE) the fast path on ifp, for both
 * forms of the command: the interface node's and the global one. name is
 * what the operator typed, for the messages.
 */
static int fp_configure(struct vty *vty, const char *name,
			struct interface *ifp, enum ebpf_fp_mode mode)
{
	char err[256] = "";

	if (ifp->ifindex == IFINDEX_INTERNAL) {
		vty_out(vty, "%% interface %s does not exist in the kernel\n",
			name);
		return CMD_WARNING_CONFIG_FAILED;
	}
	if (ifp->vrf->vrf_id != VRF_DEFAULT) {
		vty_out(vty, "%% %s is not in the default VRF\n", name);
		return CMD_WARNING_CONFIG_FAILED;
	}
	if (ebpf_fastpath_deferring()) {
		ebpf_fastpath_defer(ifp->name, ifp->ifindex, mode);
		return CMD_SUCCESS;
	}
	if (mode == EBPF_FP_NONE) {
		if (ebpf_fastpath_detach(ifp->ifindex, err, sizeof(err))) {
			vty_out(vty, "%% %s: %s\n", name, err);
			return CMD_WARNING_CONFIG_FAILED;
		}
		return CMD_SUCCESS;
	}
	/* The same line again is no change: frr-reload.py applies what it
	 * adds twice, and vtysh -b may replay a running config. (Only that:
	 * a foreign program in the way also fails with EEXIST.)
	 */
	if (ebpf_fastpath_mode(ifp->ifindex) == mode)
		return CMD_SUCCESS;
	if (ebpf_fastpath_attach(ifp->name, ifp->ifindex, mode, err,
				 sizeof(err))) {
		vty_out(vty, "%% %s\n", err);
		return CMD_WARNING_CONFIG_FAILED;
	}
	return CMD_SUCCESS;
}

/* Linux's dev_valid_name(): what the kernel would refuse to name a link. */
static bool fp_ifname_valid(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len >= IFNAMSIZ)
		return false;
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return false;
	for (const char *c = name; *c; c++)
		if (*c == '/' || *c == ':' || isspace((unsigned char)*c))
			return false;
	return true;
}

/* The global form names the interface: one zebra knows in the default VRF. */
static int fp_configure_by_name(struct vty *vty, const char *name,
				enum ebpf_fp_mode mode)
{
	struct interface *ifp;

	if (!fp_ifname_valid(name)) {
		vty_out(vty,
			"%% %s is not a valid interface name (1 to %d characters, no '/', ':' or space, not . or ..)\n",
			name, IFNAMSIZ - 1);
		return CMD_WARNING_CONFIG_FAILED;
	}
	ifp = if_lookup_by_name(name, VRF_DEFAULT);
	if (!ifp) {
		vty_out(vty,
			"%% interface %s does not exist in the default VRF\n",
			name);
		return CMD_WARNING_CONFIG_FAILED;
	}
	return fp_configure(vty, name, ifp, mode);
}

/* Interface node, 8.4 only (frr_compat.h): kept so that existing
 * configurations still load; written back in the global form.
 */
DEFUN (ebpf_fast_path,
       ebpf_fast_path_cmd,
       "ebpf fast-path " FP_MODES,
       "eBPF fast path and RIB mirror\n"
       "Forward packets arriving here in eBPF, bypassing the kernel stack\n"
       FP_MODES_HELP)
{
	VTY_DECLVAR_CONTEXT(interface, ifp);

	return fp_configure(vty, ifp->name, ifp,
			    ebpf_fp_mode_parse(argv[2]->text));
}

DEFUN (no_ebpf_fast_path,
       no_ebpf_fast_path_cmd,
       "no ebpf fast-path [" FP_MODES "]",
       NO_STR
       "eBPF fast path and RIB mirror\n"
       "Forward packets arriving here in eBPF, bypassing the kernel stack\n"
       FP_MODES_HELP)
{
	VTY_DECLVAR_CONTEXT(interface, ifp);

	return fp_configure(vty, ifp->name, ifp, EBPF_FP_NONE);
}

DEFUN (ebpf_fast_path_interface,
       ebpf_fast_path_interface_cmd,
       "ebpf fast-path interface IFNAME " FP_MODES,
       "eBPF fast path and RIB mirror\n"
       "Forward packets arriving on an interface in eBPF, bypassing the kernel stack\n"
       "An interface of the default VRF\n"
       "Interface name\n"
       FP_MODES_HELP)
{
	return fp_configure_by_name(vty, argv[3]->arg,
				    ebpf_fp_mode_parse(argv[4]->text));
}

DEFUN (no_ebpf_fast_path_interface,
       no_ebpf_fast_path_interface_cmd,
       "no ebpf fast-path interface IFNAME [" FP_MODES "]",
       NO_STR
       "eBPF fast path and RIB mirror\n"
       "Forward packets arriving on an interface in eBPF, bypassing the kernel stack\n"
       "An interface of the default VRF\n"
       "Interface name\n"
       FP_MODES_HELP)
{
	return fp_configure_by_name(vty, argv[4]->arg, EBPF_FP_NONE);
}

/*
 * The one written form, on every FRR version (10.x has no interface
 * node in zebra): a configuration moves between versions as it is.
 */
int ebpf_fastpath_config_write(struct vty *vty)
{
	struct vrf *vrf = vrf_lookup_by_id(VRF_DEFAULT);
	struct interface *ifp;
	enum ebpf_fp_mode mode;
	int lines = 0;

	if (!vrf)
		return 0;
	FOR_ALL_INTERFACES (vrf, ifp) {
		if (ifp->ifindex == IFINDEX_INTERNAL)
			continue;
		mode = ebpf_fastpath_mode(ifp->ifindex);
		if (mode == EBPF_FP_NONE)
			continue;
		vty_out(vty, "ebpf fast-path interface %s %s\n", ifp->name,
			ebpf_fp_mode_str(mode));
		lines++;
	}
	return lines;
}

static const char *ifname(uint32_t ifindex)
{
	struct interface *ifp = if_lookup_by_index(ifindex, VRF_DEFAULT);

	return ifp ? ifp->name : "?";
}

static bool is_xdp(enum ebpf_fp_mode mode)
{
	return mode == EBPF_FP_XDP || mode == EBPF_FP_XDP_GENERIC;
}

void ebpf_fp_if_notes_json(struct json_object *ji, const struct ebpf_fp_if *f)
{
	if (is_xdp(f->mode))
		json_object_boolean_add(ji, "xdpRedirectTarget",
					f->xdp_redirect_target);
	json_object_boolean_add(ji, "checksumGuard", f->csum_guard);
}

void ebpf_fp_if_notes_vty(struct vty *vty, const struct ebpf_fp_if *f)
{
	if (f->csum_guard)
		vty_out(vty,
			"      checksum guard: TCP/UDP with a partial checksum (a local sender's offload) goes to the kernel, which finishes it\n");
	if (is_xdp(f->mode) && !f->xdp_redirect_target)
		vty_out(vty,
			"      not an XDP redirect target (the peer of a veth needs an XDP program or GRO on): packets out of it go through the kernel\n");
}

static struct ebpf_fp_if fp_list[FE_IFSTATS_MAX];

DEFUN (show_ebpf_interfaces,
       show_ebpf_interfaces_cmd,
       "show ebpf interfaces [json]",
       SHOW_STR
       "eBPF fast path and RIB mirror\n"
       "Interfaces with the fast path attached\n"
       JSON_STR)
{
	int n = ebpf_fastpath_list(fp_list, FE_IFSTATS_MAX);
	bool uj = argc > 3;
	json_object *json = NULL, *ja = NULL, *ji;

	if (uj) {
		json = json_object_new_object();
		ja = json_object_new_array();
		json_object_object_add(json, "interfaces", ja);
	} else if (n)
		vty_out(vty, "%-16s %7s %-12s %7s %7s %12s %12s\n", "Interface",
			"Ifindex", "Mode", "Link", "Prog", "Received",
			"Forwarded");
	for (int i = 0; i < n; i++) {
		const struct ebpf_fp_if *f = &fp_list[i];

		if (!uj) {
			vty_out(vty,
				"%-16s %7u %-12s %7u %7u %12" PRIu64 " %12" PRIu64 "%s\n",
				ifname(f->ifindex), f->ifindex,
				ebpf_fp_mode_str(f->mode), f->link_id,
				f->prog_id, (uint64_t)f->stats.rx_packets,
				(uint64_t)f->stats.fwd_packets,
				f->adopted ? "  (adopted)" : "");
			ebpf_fp_if_notes_vty(vty, f);
			continue;
		}
		ji = json_object_new_object();
		json_object_string_add(ji, "name", ifname(f->ifindex));
		json_object_int_add(ji, "ifindex", f->ifindex);
		json_object_string_add(ji, "mode", ebpf_fp_mode_str(f->mode));
		json_object_int_add(ji, "linkId", f->link_id);
		json_object_int_add(ji, "programId", f->prog_id);
		json_object_boolean_add(ji, "attached", f->link_id != 0);
		json_object_boolean_add(ji, "adopted", f->adopted);
		ebpf_fp_if_notes_json(ji, f);
		json_object_array_add(ja, ji);
	}
	if (uj)
		vty_json(vty, json);
	else if (!n)
		vty_out(vty, "No interface has the eBPF fast path.\n");
	return CMD_SUCCESS;
}

static json_object *stats_json(const char *name, const struct fe_if_stats *s)
{
	json_object *j = json_object_new_object();
	json_object *jp = json_object_new_object();
	json_object *jd = json_object_new_object();
	uint64_t passed = 0;

	json_object_string_add(j, "name", name);
	json_object_int_add(j, "rxPackets", s->rx_packets);
	json_object_int_add(j, "rxBytes", s->rx_bytes);
	json_object_int_add(j, "forwardedPackets", s->fwd_packets);
	json_object_int_add(j, "forwardedBytes", s->fwd_bytes);
	for (int r = 0; r < FE_PASS_MAX; r++) {
		json_object_int_add(jp, ebpf_pass_reason_json(r), s->pass[r]);
		passed += s->pass[r];
	}
	for (int r = 0; r < FE_DROP_MAX; r++)
		json_object_int_add(jd, ebpf_drop_reason_json(r), s->drop[r]);
	json_object_int_add(j, "toKernelPackets", passed);
	json_object_object_add(j, "toKernel", jp);
	json_object_object_add(j, "dropped", jd);
	return j;
}

static int nh_json_cb(const struct fe_nh_key *k, uint64_t packets,
		      uint64_t bytes, void *arg)
{
	json_object *ja = arg, *jn = json_object_new_object();
	char gw[INET6_ADDRSTRLEN] = "";

	inet_ntop(k->family == AF_INET6 ? AF_INET6 : AF_INET, k->gw, gw,
		  sizeof(gw));
	json_object_string_add(jn, "gateway", gw);
	json_object_string_add(jn, "interface", ifname(k->ifindex));
	json_object_int_add(jn, "packets", packets);
	json_object_int_add(jn, "bytes", bytes);
	json_object_array_add(ja, jn);
	return 0;
}

static int nh_text_cb(const struct fe_nh_key *k, uint64_t packets,
		      uint64_t bytes, void *arg)
{
	struct vty *vty = arg;
	char gw[INET6_ADDRSTRLEN] = "";

	static const uint8_t none[sizeof(k->gw)];

	/* a connected route's path, counted by its group: no gateway */
	if (!memcmp(k->gw, none, sizeof(none))) {
		vty_out(vty,
			"  directly connected %s: %" PRIu64 " packets, %" PRIu64
			" bytes\n",
			ifname(k->ifindex), packets, bytes);
		return 0;
	}
	inet_ntop(k->family == AF_INET6 ? AF_INET6 : AF_INET, k->gw, gw,
		  sizeof(gw));
	vty_out(vty, "  via %s %s: %" PRIu64 " packets, %" PRIu64 " bytes\n",
		gw, ifname(k->ifindex), packets, bytes);
	return 0;
}

DEFUN (show_ebpf_counters,
       show_ebpf_counters_cmd,
       "show ebpf counters [json]",
       SHOW_STR
       "eBPF fast path and RIB mirror\n"
       "Fast-path counters per interface: forwarded, to the kernel by reason, dropped\n"
       JSON_STR)
{
	int n = ebpf_fastpath_list(fp_list, FE_IFSTATS_MAX);
	bool uj = argc > 3;
	json_object *json = NULL, *jifs = NULL;

	if (uj) {
		json = json_object_new_object();
		jifs = json_object_new_array();
		json_object_object_add(json, "interfaces", jifs);
	}
	for (int i = 0; i < n; i++) {
		const struct fe_if_stats *s = &fp_list[i].stats;

		if (uj) {
			json_object_array_add(
				jifs, stats_json(ifname(fp_list[i].ifindex), s));
			continue;
		}
		vty_out(vty, "%s (%s):\n", ifname(fp_list[i].ifindex),
			ebpf_fp_mode_str(fp_list[i].mode));
		vty_out(vty, "  received %" PRIu64 " packets, forwarded %" PRIu64 "\n",
			(uint64_t)s->rx_packets, (uint64_t)s->fwd_packets);
		for (int r = 0; r < FE_PASS_MAX; r++)
			if (s->pass[r])
				vty_out(vty, "  to kernel, %-22s %" PRIu64 "\n",
					ebpf_pass_reason_json(r),
					(uint64_t)s->pass[r]);
		for (int r = 0; r < FE_DROP_MAX; r++)
			if (s->drop[r])
				vty_out(vty, "  dropped,   %-22s %" PRIu64 "\n",
					ebpf_drop_reason_json(r),
					(uint64_t)s->drop[r]);
	}
	if (uj) {
		json_object *ja = json_object_new_array();

		ebpf_fastpath_nh_foreach(nh_json_cb, ja);
		json_object_object_add(json, "nexthops", ja);
		vty_json(vty, json);
	} else if (!n) {
		vty_out(vty, "No interface has the eBPF fast path.\n");
	} else {
		vty_out(vty, "Forwarded per nexthop:\n");
		ebpf_fastpath_nh_foreach(nh_text_cb, vty);
	}
	return CMD_SUCCESS;
}

DEFUN (clear_ebpf_counters,
       clear_ebpf_counters_cmd,
       "clear ebpf counters",
       CLEAR_STR
       "eBPF fast path and RIB mirror\n"
       "Fast-path counters\n")
{
	ebpf_fastpath_clear_counters();
	return CMD_SUCCESS;
}

void ebpf_fastpath_vty_init(void)
{
	/* 8.4 only: see frr_compat.h. */
	fe_if_node_install(&ebpf_fast_path_cmd);
	fe_if_node_install(&no_ebpf_fast_path_cmd);
	install_element(CONFIG_NODE, &ebpf_fast_path_interface_cmd);
	install_element(CONFIG_NODE, &no_ebpf_fast_path_interface_cmd);
	install_element(VIEW_NODE, &show_ebpf_interfaces_cmd);
	install_element(VIEW_NODE, &show_ebpf_counters_cmd);
	install_element(ENABLE_NODE, &clear_ebpf_counters_cmd);
}
