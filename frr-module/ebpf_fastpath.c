// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fast-path attach/detach through pinned BPF links.
 *
 * A link pinned under the pin path keeps its program attached when zebra
 * exits, so forwarding continues while zebra restarts. The pin's name
 * carries ifindex and mode (fe_link_<ifindex>_<mode>); a new zebra whose
 * configuration asks for the same attachment adopts the link and swaps in
 * its freshly loaded program atomically (bpf_link_update). Links nobody
 * claimed are detached once the configuration has had time to arrive.
 */
#include "lib/zebra.h"

#include <dirent.h>
#include <linux/if_link.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/if.h"
#include "lib/log.h"
#include "lib/privs.h"
#include "lib/vrf.h"
#include "zebra/interface.h"

#include "frr_compat.h"
#include "ebpf_errors.h"
#include "ebpf_events.h"
#include "ebpf_fwdstats.h"
#include "ebpf_maputil.h"
#include "ebpf_kstate.h"
#include "ebpf_fastpath.h"
#include "ebpf_mirror.h"
#include "ebpf_policy.h"
#include "ebpf_xdpfeat.h"
#include "fe_fwd.skel.h"
#include "lib/fe_reasons.h"

extern struct zebra_privs_t zserv_privs;

/* Not in Debian 12's uapi headers (Linux 6.1); stable since Linux 6.6. */
#ifndef BPF_TCX_INGRESS_NR
#define BPF_TCX_INGRESS_NR 46
#endif

struct fp_if {
	uint32_t ifindex;
	enum ebpf_fp_mode mode;
	int link_fd;
	bool adopted;
	bool tx_ok; /* in fe_txports: XDP redirects to it are delivered */
};

struct fp_deferred {
	char ifname[IFNAMSIZ];
	uint32_t ifindex;
	enum ebpf_fp_mode mode;
};

static struct {
	struct fe_fwd *skel;
	struct fp_if ifs[FE_IFSTATS_MAX];
	int n;
	struct fp_deferred deferred[FE_IFSTATS_MAX];
	int ndeferred;
	bool config_read;
	/* being attached: its mode counts for the interface records
	 * (checksum guard) before the link exists
	 */
	uint32_t attaching;
	enum ebpf_fp_mode attaching_mode;
} fp;

static struct fe_task *vlan_thread;
static struct fe_loop *fp_master;
/* XDP feature changes (a veth peer's GRO or XDP program): ebpf_xdpfeat */
static struct fe_task *feat_thread;
static int feat_fd = -1;

static const char *const mode_names[] = {
	[EBPF_FP_NONE] = "none",
	[EBPF_FP_XDP] = "xdp",
	[EBPF_FP_XDP_GENERIC] = "xdp-generic",
	[EBPF_FP_TC] = "tc",
};

const char *ebpf_fp_mode_str(enum ebpf_fp_mode mode)
{
	return mode < array_size(mode_names) ? mode_names[mode] : "?";
}

int ebpf_fp_mode_parse(const char *word)
{
	for (size_t i = EBPF_FP_XDP; i < array_size(mode_names); i++)
		if (strcmp(word, mode_names[i]) == 0)
			return i;
	return -1;
}

static bool mode_is_xdp(enum ebpf_fp_mode mode)
{
	return mode == EBPF_FP_XDP || mode == EBPF_FP_XDP_GENERIC;
}

static struct fp_if *fp_find(uint32_t ifindex)
{
	for (int i = 0; i < fp.n; i++)
		if (fp.ifs[i].ifindex == ifindex)
			return &fp.ifs[i];
	return NULL;
}

static void fp_forget(struct fp_if *f)
{
	*f = fp.ifs[--fp.n];
}

struct fe_fwd *ebpf_fastpath_skel(void)
{
	return fp.skel;
}

bool ebpf_fastpath_active(void)
{
	return fp.skel != NULL;
}

enum ebpf_fp_mode ebpf_fastpath_mode(uint32_t ifindex)
{
	struct fp_if *f = fp_find(ifindex);

	if (fp.attaching && fp.attaching == ifindex)
		return fp.attaching_mode;
	if (f)
		return f->mode;
	for (int i = 0; i < fp.ndeferred; i++)
		if (fp.deferred[i].ifindex == ifindex)
			return fp.deferred[i].mode;
	return EBPF_FP_NONE;
}

bool ebpf_fastpath_deferring(void)
{
	return !fp.config_read;
}

void ebpf_fastpath_defer(const char *ifname, uint32_t ifindex,
			 enum ebpf_fp_mode mode)
{
	struct fp_deferred *d = NULL;

	for (int i = 0; i < fp.ndeferred; i++)
		if (fp.deferred[i].ifindex == ifindex)
			d = &fp.deferred[i];
	if (!d && fp.ndeferred == FE_IFSTATS_MAX)
		return;
	if (!d)
		d = &fp.deferred[fp.ndeferred++];
	strlcpy(d->ifname, ifname, sizeof(d->ifname));
	d->ifindex = ifindex;
	d->mode = mode;
}

void ebpf_fastpath_apply_deferred(void)
{
	char err[256];

	fp.config_read = true;
	for (int i = 0; i < fp.ndeferred; i++) {
		struct fp_deferred *d = &fp.deferred[i];

		if (d->mode == EBPF_FP_NONE)
			continue;
		if (ebpf_fastpath_attach(d->ifname, d->ifindex, d->mode, err,
					 sizeof(err)))
			flog_err(EC_EBPF_FASTPATH, "ebpf: %s", err);
	}
	fp.ndeferred = 0;
}

static void link_pin(char *buf, size_t size, uint32_t ifindex,
		     enum ebpf_fp_mode mode)
{
	snprintf(buf, size, "%s/fe_link_%u_%s", ebpf_mirror_pin_path(),
		 ifindex, ebpf_fp_mode_str(mode));
}

/*
 * The devmap is pinned here rather than by libbpf (see fe_fwd.bpf.c):
 * reuse the pinned one if there is one, else pin the new one after load.
 */
static int txports_reuse(char *path, size_t size)
{
	int fd;

	snprintf(path, size, "%s/%s", ebpf_mirror_pin_path(), FE_MAP_TXPORTS);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	if (bpf_map__reuse_fd(fp.skel->maps.fe_txports_v1, fd)) {
		close(fd);
		return -errno;
	}
	close(fd); /* reuse_fd keeps its own duplicate */
	return 1;
}

static void fp_sync_txports(void);

/* A device's XDP features changed: which ports take redirects, now
 * rather than at the next tick.
 */
static void fp_feat_read(struct fe_task *t)
{
	char buf[4096];

	while (recv(feat_fd, buf, sizeof(buf), 0) > 0)
		;
	frr_with_privs (&zserv_privs) {
		fp_sync_txports();
	}
	event_add_read(t->master, fp_feat_read, NULL, feat_fd, &feat_thread);
}

static void fp_feat_watch(void)
{
	if (feat_fd >= 0 || !fp_master)
		return;
	frr_with_privs (&zserv_privs) {
		feat_fd = ebpf_xdp_feature_watch();
	}
	if (feat_fd < 0) {
		/* an older kernel: the 5 s tick still catches the change */
		feat_fd = -1;
		return;
	}
	event_add_read(fp_master, fp_feat_read, NULL, feat_fd, &feat_thread);
}

static int fp_load(char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts);
	char txpath[512];
	int ret = 0, reused = 0;

	if (fp.skel)
		return 0;
	opts.pin_root_path = ebpf_mirror_pin_path();
	frr_with_privs (&zserv_privs) {
		fp.skel = fe_fwd__open_opts(&opts);
		if (!fp.skel) {
			ret = -errno;
		} else {
			/* The mirror's maps, shared by fd: same maps whatever
			 * sizes they were created with.
			 */
			bpf_map__reuse_fd(fp.skel->maps.fe_route4_v1,
					  ebpf_mirror_map_fd(EBPF_MAP_ROUTE4));
			bpf_map__reuse_fd(fp.skel->maps.fe_route6_v1,
					  ebpf_mirror_map_fd(EBPF_MAP_ROUTE6));
			bpf_map__reuse_fd(fp.skel->maps.fe_nhg_v1,
					  ebpf_mirror_map_fd(EBPF_MAP_NHG));
			bpf_map__reuse_fd(fp.skel->maps.fe_nhgres_v1,
					  ebpf_mirror_map_fd(EBPF_MAP_NHGRES));
			bpf_map__reuse_fd(fp.skel->maps.fe_l4_top_v1,
					  ebpf_mirror_map_fd(EBPF_MAP_L4_TOP));
			bpf_map__reuse_fd(fp.skel->maps.fe_l4_grp_v1,
					  ebpf_mirror_map_fd(EBPF_MAP_L4_GRP));
			bpf_map__reuse_fd(fp.skel->maps.fe_l4_state_v1,
					  ebpf_mirror_map_fd(EBPF_MAP_L4_STATE));
			bpf_map__reuse_fd(fp.skel->maps.fe_l6_top_v1,
					  ebpf_mirror_map_fd(EBPF_MAP_L6_TOP));
			bpf_map__reuse_fd(fp.skel->maps.fe_l6_grp_v2,
					  ebpf_mirror_map_fd(EBPF_MAP_L6_GRP));
			bpf_map__reuse_fd(fp.skel->maps.fe_l6_state_v1,
					  ebpf_mirror_map_fd(EBPF_MAP_L6_STATE));
			bpf_map__reuse_fd(fp.skel->maps.fe_pathstats_v1,
					  ebpf_mirror_map_fd(EBPF_MAP_PATHSTATS));
			bpf_map__reuse_fd(fp.skel->maps.fe_pathsums_v1,
					  ebpf_mirror_map_fd(EBPF_MAP_PATHSUMS));
			reused = txports_reuse(txpath, sizeof(txpath));
			ret = reused < 0 ? reused : fe_fwd__load(fp.skel);
			if (!ret && !reused)
				ret = bpf_map__pin(fp.skel->maps.fe_txports_v1,
						   txpath);
			if (ret) {
				fe_fwd__destroy(fp.skel);
				fp.skel = NULL;
			}
		}
	}
	if (ret) {
		snprintf(err, errlen,
			 "cannot load the fast-path programs (pin path %s): %s",
			 ebpf_mirror_pin_path(), strerror(-ret));
		flog_err(EC_EBPF_FASTPATH, "ebpf: %s", err);
		return ret;
	}
	if (fp_master)
		ebpf_events_attach(fp_master);
	fp_feat_watch();
	ebpf_kstate_start();
	ebpf_kstate_sync();
	ebpf_policy_sync();
	return 0;
}

/*
 * Mirror zebra's 802.1Q subinterfaces into the VLAN maps: which VLAN
 * interface a tagged frame belongs to, and how to leave through one.
 * Stale entries go; it is cheap, so it simply runs again periodically.
 */
static void fp_sync_vlans(void)
{
	struct vrf *vrf = vrf_lookup_by_id(VRF_DEFAULT);
	int in_fd, out_fd;
	struct interface *ifp;
	struct fe_vlan_key k;

	if (!fp.skel || !vrf)
		return;
	in_fd = bpf_map__fd(fp.skel->maps.fe_vlanin_v1);
	out_fd = bpf_map__fd(fp.skel->maps.fe_vlanout_v1);
	FOR_ALL_INTERFACES (vrf, ifp) {
		struct zebra_if *zif = ifp->info;
		struct fe_vlan_out o = {};
		uint32_t vif = ifp->ifindex;

		if (!zif || !IS_ZEBRA_IF_VLAN(ifp) ||
		    ifp->ifindex == IFINDEX_INTERNAL ||
		    zif->link_ifindex == IFINDEX_INTERNAL)
			continue;
		memset(&k, 0, sizeof(k));
		k.ifindex = zif->link_ifindex;
		k.vid = zif->l2info.vl.vid;
		o.parent = zif->link_ifindex;
		o.vid = zif->l2info.vl.vid;
		bpf_map_update_elem(in_fd, &k, &vif, BPF_ANY);
		bpf_map_update_elem(out_fd, &vif, &o, BPF_ANY);
	}
	/* Drop what no VLAN interface stands for any more. */
	{
		size_t n;
		struct fe_vlan_key *keys = ebpf_map_keys(in_fd, sizeof(*keys), &n);
		uint32_t *outs;

		for (size_t i = 0; i < n; i++) {
			uint32_t vif;

			if (bpf_map_lookup_elem(in_fd, &keys[i], &vif) == 0 &&
			    !if_lookup_by_index(vif, VRF_DEFAULT))
				bpf_map_delete_elem(in_fd, &keys[i]);
		}
		free(keys);
		outs = ebpf_map_keys(out_fd, sizeof(*outs), &n);
		for (size_t i = 0; i < n; i++)
			if (!if_lookup_by_index(outs[i], VRF_DEFAULT))
				bpf_map_delete_elem(out_fd, &outs[i]);
		free(outs);
	}
}

static void fp_vlan_tick(struct fe_task *t)
{
	const char *why;
	bool before = ebpf_kstate_direct_ok(&why);

	fp_sync_vlans();
	if (fp.skel) {
		frr_with_privs (&zserv_privs) {
			fp_sync_txports();
		}
	}
	ebpf_kstate_sync();
	if (ebpf_kstate_direct_ok(&why) != before)
		ebpf_policy_sync();
	event_add_timer(t->master, fp_vlan_tick, NULL, 5, &vlan_thread);
}

struct fe_loop *ebpf_fastpath_master(void)
{
	return fp_master;
}

void ebpf_fastpath_start(struct fe_loop *tm)
{
	fp_master = tm;
	event_add_timer(tm, fp_vlan_tick, NULL, 5, &vlan_thread);
}

static int link_create(uint32_t ifindex, enum ebpf_fp_mode mode)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts);
	int prog_fd, attach;

	if (mode_is_xdp(mode)) {
		prog_fd = bpf_program__fd(fp.skel->progs.fe_xdp);
		attach = BPF_XDP;
		opts.flags = mode == EBPF_FP_XDP ? XDP_FLAGS_DRV_MODE
						 : XDP_FLAGS_SKB_MODE;
	} else {
		prog_fd = bpf_program__fd(fp.skel->progs.fe_tc);
		attach = BPF_TCX_INGRESS_NR;
	}
	return bpf_link_create(prog_fd, ifindex, attach, &opts);
}

static int prog_fd_for(enum ebpf_fp_mode mode)
{
	return bpf_program__fd(mode_is_xdp(mode) ? fp.skel->progs.fe_xdp
						 : fp.skel->progs.fe_tc);
}

static const char *attach_error(int err, enum ebpf_fp_mode mode)
{
	switch (err) {
	case EOPNOTSUPP:
	case EINVAL:
		if (mode == EBPF_FP_XDP)
			return "the driver has no native XDP (use xdp-generic or tc)";
		if (mode == EBPF_FP_TC)
			return "the kernel has no tcx (Linux 6.6 or later needed; use xdp-generic)";
		break;
	case EBUSY:
	case EEXIST:
		return "another program is attached there (not frr-ebpf's): remove it first";
	}
	return strerror(err);
}

bool ebpf_fastpath_csum_guard(uint32_t ifindex)
{
	struct interface *ifp = if_lookup_by_index(ifindex, VRF_DEFAULT);

	/* veth: the sender's skb state (CHECKSUM_PARTIAL) is lost to native
	 * XDP; xdp-generic and tc keep the skb, physical NICs receive
	 * finished checksums from the wire
	 */
	return ebpf_fastpath_mode(ifindex) == EBPF_FP_XDP && ifp &&
	       ifp->info && IS_ZEBRA_IF_VETH(ifp);
}

/*
 * XDP egress ports (fe_txports): the interfaces in an XDP mode that can
 * take redirects. With a native XDP ingress a redirect goes through the
 * egress's ndo_xdp_xmit, which a veth whose peer has no NAPI (no XDP
 * program, GRO off: a host's default) refuses after the fact: such an
 * egress stays out, and its packets go to the kernel
 * (egressWithoutFastPath). Runs on every attach, detach and tick: the
 * peer may change.
 */
static void fp_sync_txports(void)
{
	int tx = fp.skel ? bpf_map__fd(fp.skel->maps.fe_txports_v1) : -1;
	bool native = false;

	if (tx < 0)
		return;
	for (int i = 0; i < fp.n; i++)
		native |= fp.ifs[i].mode == EBPF_FP_XDP;
	for (int i = 0; i < fp.n; i++) {
		struct fp_if *f = &fp.ifs[i];
		bool ok;

		/* 1 yes, 0 no, -1 the kernel cannot tell: as before, yes */
		ok = mode_is_xdp(f->mode) &&
		     (!native || ebpf_xdp_can_receive_redirects(f->ifindex) != 0);
		if (ok)
			bpf_map_update_elem(tx, &f->ifindex, &f->ifindex,
					    BPF_ANY);
		else
			bpf_map_delete_elem(tx, &f->ifindex);
		if (mode_is_xdp(f->mode) && ok != f->tx_ok)
			zlog_notice("ebpf: ifindex %u %s XDP redirects%s",
				    f->ifindex, ok ? "takes" : "cannot take",
				    ok ? "" : " (a veth whose peer has no XDP program and GRO off?): packets out of it go through the kernel");
		f->tx_ok = ok;
	}
}

/* Per-interface counters. */
static void fp_maps_add(uint32_t ifindex)
{
	int ncpu = libbpf_num_possible_cpus();
	struct fe_if_stats *zero = XCALLOC(MTYPE_TMP, sizeof(*zero) * ncpu);

	/* NOEXIST: an adopted interface keeps its counters. */
	bpf_map_update_elem(bpf_map__fd(fp.skel->maps.fe_ifstats_v1), &ifindex,
			    zero, BPF_NOEXIST);
	XFREE(MTYPE_TMP, zero);
}

static void fp_maps_del(uint32_t ifindex)
{
	if (!fp.skel)
		return;
	bpf_map_delete_elem(bpf_map__fd(fp.skel->maps.fe_txports_v1), &ifindex);
	bpf_map_delete_elem(bpf_map__fd(fp.skel->maps.fe_ifstats_v1), &ifindex);
}

/* Drop the pins of every mode but `keep` for ifindex (links detach). */
static void unpin_other_modes(uint32_t ifindex, enum ebpf_fp_mode keep)
{
	char path[512];

	for (int m = EBPF_FP_XDP; m < (int)array_size(mode_names); m++) {
		if (m == (int)keep)
			continue;
		link_pin(path, sizeof(path), ifindex, m);
		unlink(path);
	}
}

int ebpf_fastpath_attach(const char *ifname, uint32_t ifindex,
			 enum ebpf_fp_mode mode, char *err, size_t errlen)
{
	struct fp_if *f = fp_find(ifindex);
	char path[512];
	bool adopted = false;
	int fd = -1, ret = 0;

	if (f && f->mode == mode) {
		snprintf(err, errlen, "fast path already attached to %s (%s)",
			 ifname, ebpf_fp_mode_str(mode));
		return -EEXIST;
	}
	if (f) {
		/* Another mode: XDP modes exclude each other, so detach
		 * first; on failure put the previous mode back.
		 */
		enum ebpf_fp_mode prev = f->mode;
		char ignored[128];

		ebpf_fastpath_detach(ifindex, ignored, sizeof(ignored));
		ret = ebpf_fastpath_attach(ifname, ifindex, mode, err, errlen);
		if (ret)
			ebpf_fastpath_attach(ifname, ifindex, prev, ignored,
					     sizeof(ignored));
		return ret;
	}
	if (fp.n == FE_IFSTATS_MAX) {
		snprintf(err, errlen, "at most %d interfaces", FE_IFSTATS_MAX);
		return -ENOSPC;
	}
	if (!ebpf_mirror_is_open()) {
		snprintf(err, errlen,
			 "the eBPF maps are not available (see show ebpf mirror)");
		return -ENOTCONN;
	}
	ret = fp_load(err, errlen);
	if (ret)
		return ret;

	/* The interface records first (checksum guard): the program must
	 * not see a packet on this interface before they say how.
	 */
	fp.attaching = ifindex;
	fp.attaching_mode = mode;
	ebpf_kstate_sync();
	link_pin(path, sizeof(path), ifindex, mode);
	frr_with_privs (&zserv_privs) {
		/* A link a previous zebra pinned: keep it, swap the program
		 * in atomically, so forwarding never stops.
		 */
		fd = bpf_obj_get(path);
		if (fd >= 0) {
			if (bpf_link_update(fd, prog_fd_for(mode), NULL) == 0) {
				adopted = true;
			} else {
				close(fd);
				unlink(path);
				fd = -1;
			}
		}
		if (fd < 0) {
			fd = link_create(ifindex, mode);
			if (fd < 0)
				ret = -errno;
			else if (bpf_obj_pin(fd, path)) {
				ret = -errno;
				close(fd);
				fd = -1;
			}
		}
		if (!ret) {
			fp_maps_add(ifindex);
			unpin_other_modes(ifindex, mode);
			fp_sync_vlans();
		}
	}
	fp.attaching = 0;
	if (ret) {
		ebpf_kstate_sync();
		snprintf(err, errlen, "cannot attach the fast path to %s (%s): %s",
			 ifname, ebpf_fp_mode_str(mode), attach_error(-ret, mode));
		return ret;
	}
	f = &fp.ifs[fp.n++];
	f->ifindex = ifindex;
	f->mode = mode;
	f->link_fd = fd;
	f->adopted = adopted;
	f->tx_ok = false;
	frr_with_privs (&zserv_privs) {
		fp_sync_txports();
	}
	zlog_notice("ebpf: fast path %s on %s (ifindex %u)%s",
		    ebpf_fp_mode_str(mode), ifname, ifindex,
		    adopted ? ", adopted from the previous zebra" : "");
	return 0;
}

int ebpf_fastpath_detach(uint32_t ifindex, char *err, size_t errlen)
{
	struct fp_if *f = fp_find(ifindex);
	char path[512];

	if (!f) {
		snprintf(err, errlen, "no fast path on this interface");
		return -ENOENT;
	}
	link_pin(path, sizeof(path), ifindex, f->mode);
	frr_with_privs (&zserv_privs) {
		unlink(path);
		close(f->link_fd); /* last reference: the link detaches */
		fp_maps_del(ifindex);
	}
	zlog_notice("ebpf: fast path removed from ifindex %u", ifindex);
	fp_forget(f);
	frr_with_privs (&zserv_privs) {
		fp_sync_txports();
	}
	ebpf_kstate_sync();
	return 0;
}

void ebpf_fastpath_if_gone(uint32_t ifindex)
{
	char err[64];

	if (fp_find(ifindex))
		ebpf_fastpath_detach(ifindex, err, sizeof(err));
}

int ebpf_fastpath_sweep_unclaimed(void)
{
	const char *root = ebpf_mirror_pin_path();
	struct dirent *de;
	int swept = 0;
	DIR *d;

	d = opendir(root);
	if (!d)
		return 0;
	frr_with_privs (&zserv_privs) {
		while ((de = readdir(d))) {
			unsigned int ifindex;
			char mode[16], path[512];
			struct fp_if *f;
			int m;

			if (sscanf(de->d_name, "fe_link_%u_%15s", &ifindex,
				   mode) != 2)
				continue;
			m = ebpf_fp_mode_parse(mode);
			f = fp_find(ifindex);
			if (f && (int)f->mode == m)
				continue;
			snprintf(path, sizeof(path), "%s/%s", root, de->d_name);
			if (unlink(path) == 0) {
				swept++;
				zlog_notice("ebpf: detached %s: no longer configured",
					    de->d_name);
			}
		}
	}
	closedir(d);
	return swept;
}

static uint32_t link_id(int fd, uint32_t *prog_id)
{
	struct bpf_link_info info = {};
	uint32_t len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	*prog_id = info.prog_id;
	return info.id;
}

int ebpf_fastpath_list(struct ebpf_fp_if *out, int max)
{
	int ncpu = libbpf_num_possible_cpus();
	struct fe_if_stats *pc = NULL;
	int i, n = 0;

	if (fp.skel && ncpu > 0)
		pc = XCALLOC(MTYPE_TMP, sizeof(*pc) * ncpu);
	for (i = 0; i < fp.n && n < max; i++, n++) {
		struct ebpf_fp_if *o = &out[n];

		memset(o, 0, sizeof(*o));
		o->ifindex = fp.ifs[i].ifindex;
		o->mode = fp.ifs[i].mode;
		o->adopted = fp.ifs[i].adopted;
		o->xdp_redirect_target = fp.ifs[i].tx_ok;
		o->csum_guard = ebpf_fastpath_csum_guard(o->ifindex);
		o->link_id = link_id(fp.ifs[i].link_fd, &o->prog_id);
		if (!pc ||
		    bpf_map_lookup_elem(bpf_map__fd(fp.skel->maps.fe_ifstats_v1),
					&o->ifindex, pc))
			continue;
		for (int c = 0; c < ncpu; c++) {
			o->stats.rx_packets += pc[c].rx_packets;
			o->stats.rx_bytes += pc[c].rx_bytes;
			o->stats.fwd_packets += pc[c].fwd_packets;
			o->stats.fwd_bytes += pc[c].fwd_bytes;
			for (int r = 0; r < FE_PASS_MAX; r++)
				o->stats.pass[r] += pc[c].pass[r];
			for (int r = 0; r < FE_DROP_MAX; r++)
				o->stats.drop[r] += pc[c].drop[r];
		}
	}
	XFREE(MTYPE_TMP, pc);
	return n;
}

int ebpf_fastpath_clear_counters(void)
{
	int ncpu = libbpf_num_possible_cpus();
	struct fe_if_stats *zero;

	if (!fp.skel)
		return 0;
	zero = XCALLOC(MTYPE_TMP, sizeof(*zero) * ncpu);
	for (int i = 0; i < fp.n; i++)
		bpf_map_update_elem(bpf_map__fd(fp.skel->maps.fe_ifstats_v1),
				    &fp.ifs[i].ifindex, zero, BPF_EXIST);
	XFREE(MTYPE_TMP, zero);
	ebpf_fwdstats_clear();
	return 0;
}

const char *ebpf_pass_reason_json(int reason)
{
	const char *name = fe_pass_reason_name(reason);

	return name ? name : "unknown";
}

const char *ebpf_drop_reason_json(int reason)
{
	const char *name = fe_drop_reason_name(reason);

	return name ? name : "unknown";
}

void ebpf_fastpath_close(void)
{
	EVENT_OFF(vlan_thread);
	EVENT_OFF(feat_thread);
	if (feat_fd >= 0)
		close(feat_fd);
	feat_fd = -1;
	ebpf_events_close();
	ebpf_kstate_stop();
	/* Links stay pinned: the programs keep forwarding without zebra. */
	for (int i = 0; i < fp.n; i++)
		close(fp.ifs[i].link_fd);
	fp.n = 0;
	if (fp.skel)
		fe_fwd__destroy(fp.skel);
	fp.skel = NULL;
}
