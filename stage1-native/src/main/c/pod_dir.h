/*
 * The pod directory's layout, as rkj-stage1 sees it. Mirrors dev.rkj.stage1.PodDir, the one
 * owner of these names on the Java side: each POD_DIR_<NAME> here equals PodDir.<NAME>, and
 * PodDirHeaderTest fails when they drift apart. Change both together.
 */
#ifndef RKJ_POD_DIR_H
#define RKJ_POD_DIR_H

#define POD_DIR_MANIFEST "pod"
#define POD_DIR_PLAN "stage1-plan"
#define POD_DIR_LOCK "lock"
#define POD_DIR_PID "pid"
#define POD_DIR_PID_TMP ".pid.tmp"
#define POD_DIR_STATUS "status"
#define POD_DIR_LOGS "logs"
#define POD_DIR_ROTATED_LOG_SUFFIX ".1"
#define POD_DIR_ATTACH "attach"
#define POD_DIR_ROOTFS "rootfs"
#define POD_DIR_OVERLAY "overlay"
#define POD_DIR_OVERLAY_UPPER "upper"
#define POD_DIR_OVERLAY_WORK "work"
#define POD_DIR_NET "net"
#define POD_DIR_NET_NS "netns"

#endif
