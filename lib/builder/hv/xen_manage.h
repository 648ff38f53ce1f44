/* SPDX-License-Identifier: MIT */
/*
 * lib/builder/hv/xen_manage.h - the management ops of hv.h on real Xen
 * (xen_manage.c), which xen.c puts in its table (private).
 */
#ifndef XB_HV_XEN_MANAGE_H
#define XB_HV_XEN_MANAGE_H

#include "hv.h"

int xb__xen_vcpu_info(struct xb_hv *hv, struct xb_err *err, uint32_t domid, unsigned vcpu,
                      struct xb_hv_vcpuinfo *out);
int xb__xen_vcpu_get_affinity(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                              unsigned vcpu, uint8_t *hard, uint8_t *soft, size_t len);
int xb__xen_vcpu_set_affinity(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                              unsigned vcpu, const uint8_t *hard, const uint8_t *soft,
                              size_t len);
int xb__xen_node_affinity(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                          uint8_t *map, size_t len);
int xb__xen_send_trigger(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                         unsigned trigger, unsigned vcpu);
int xb__xen_read_console(struct xb_hv *hv, struct xb_err *err, bool clear, char **text,
                         size_t *len);
int xb__xen_host_info(struct xb_hv *hv, struct xb_err *err, struct xb_hostinfo *out);
int xb__xen_cpu_topology(struct xb_hv *hv, struct xb_err *err, struct xb_cpu_topo *out,
                         size_t max, size_t *n);
int xb__xen_numa_info(struct xb_hv *hv, struct xb_err *err, struct xb_numa_node *out,
                      size_t max, size_t *n);
int xb__xen_dump_core(struct xb_hv *hv, struct xb_err *err, uint32_t domid,
                      const char *path);

#endif
