/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The differences between the FRR versions the module builds against
 * (8.4 and 10.x), kept in this one header so the rest of the code has no
 * version #if. configure passes FE_FRR_VERSION_NUM (major * 100 + minor)
 * from the configured FRR source tree's PACKAGE_VERSION.
 *
 * The code is written in FRR 10's vocabulary (event_add_timer, EVENT_OFF,
 * ...), mapped back to 8.4's thread_* names below. The two types get
 * neutral names instead: `event` is too common a word in FRR's headers
 * (struct fields, enum values) to be #defined on 8.4.
 */
#ifndef FRR_COMPAT_H
#define FRR_COMPAT_H

#include "lib/zebra.h"

#ifndef FE_FRR_VERSION_NUM
#error "FE_FRR_VERSION_NUM not defined: build through configure (FRR_CPPFLAGS)"
#endif

#define FE_FRR_AT_LEAST(maj, min) (FE_FRR_VERSION_NUM >= (maj) * 100 + (min))

#if FE_FRR_AT_LEAST(9, 0)
/* 9.0: lib/thread.h became lib/frrevent.h, struct thread_master
 * became struct event_loop and struct thread struct event.
 */
#include "lib/frrevent.h"

#define fe_loop event_loop
#define fe_task event

#else /* FRR 8.4 */
#include "lib/thread.h"

#define fe_loop thread_master
#define fe_task thread

#define event_add_timer thread_add_timer
#define event_add_timer_msec thread_add_timer_msec
#define event_add_read thread_add_read
#define EVENT_OFF THREAD_OFF
#define EVENT_ARG THREAD_ARG
#define EVENT_FD THREAD_FD
#endif

/*
 * 10.0: zebra's interface configuration moved to mgmtd. zebra no longer
 * installs INTERFACE_NODE (install_element() on a missing node exits the
 * daemon), so the interface-node form of `ebpf fast-path` exists on 8.4
 * only, for the configurations written before the global form: on 10.x
 * this registers nothing (the command stays compiled, so both builds see
 * the same code).
 */
#if FE_FRR_AT_LEAST(10, 0)
#define fe_if_node_install(cmd) ((void)(cmd))
#else
#include "lib/command.h"

#define fe_if_node_install(cmd) install_element(INTERFACE_NODE, cmd)
#endif

/*
 * 10.0: an interface's addresses became a typesafe list (if_connected_*)
 * instead of a struct list. Walks ifp's struct connected * as c.
 */
#if FE_FRR_AT_LEAST(10, 0)
#define fe_each_connected(ifp, c) frr_each (if_connected, (ifp)->connected, c)
#else
#define fe_each_connected(ifp, c)                                              \
	for (struct listnode *fe_cn_ = listhead((ifp)->connected);             \
	     fe_cn_ && ((c) = listgetdata(fe_cn_), true);                      \
	     fe_cn_ = listnextnode(fe_cn_))
#endif

/* 10.0: yang_module_load() takes the features to enable (NULL: none). */
#if FE_FRR_AT_LEAST(10, 0)
#define fe_yang_module_load(name) yang_module_load(name, NULL)
#else
#define fe_yang_module_load(name) yang_module_load(name)
#endif

/*
 * 10.3: zebra's rib_process() no longer hands the dataplane a
 * ROUTE_DELETE when a kernel, connected or local route leaves the FIB with
 * nothing in its place (FRR commit 298bc623e7 "zebra: don't uninstall
 * kernel routes"; 10.3.3, 10.4.2, 10.5.1 and 10.6 send it again for
 * connected and local routes, not for kernel ones). Without it the
 * connected and local routes of an interface that went down stayed in the
 * mirror. The dplane provider then asks zebra for its system-route
 * notifications and takes such deletions from DPLANE_OP_SYS_ROUTE_DELETE
 * (both exist in 8.4, where ROUTE_DELETE still comes: off there).
 */
#define FE_SYS_ROUTE_DELETES FE_FRR_AT_LEAST(10, 3)

#endif /* FRR_COMPAT_H */
