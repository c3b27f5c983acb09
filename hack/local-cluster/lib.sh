# Shared settings of hack/local-cluster/* (sourced, not executed).
# Everything a cluster writes lives under ONE state directory, $HOLISTIC_CLUSTER_DIR.
LC_HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$LC_HERE/../.." && pwd)"
# shellcheck source=../k8s/versions.env
. "$REPO_ROOT/hack/k8s/versions.env"

CACHE_DIR="${HOLISTIC_CACHE_DIR:-$HOME/.cache/holistic}"
K8S_BIN="${HOLISTIC_K8S_BIN:-$CACHE_DIR/k8s/$K8S_VERSION/bin}"
ETCD_BIN="${HOLISTIC_ETCD_BIN:-$CACHE_DIR/etcd/$ETCD_VERSION/bin}"
KUBECTL="$K8S_BIN/kubectl"
# kube-scheduler and kube-controller-manager (hack/k8s/build, same version; their own cache directory).
K8S_CP_BIN="${HOLISTIC_K8S_CP_BIN:-$CACHE_DIR/k8s/$K8S_VERSION/control-plane/bin}"
# HOLISTIC_CLUSTER_BARE=1: no scheduler and no controller-manager (pods must carry spec.nodeName or be bound by
# the client, namespaces are finalized by the client): the "bare cluster" code paths of the kube target.
CLUSTER_MODE=full
[[ "${HOLISTIC_CLUSTER_BARE:-0}" == 1 ]] && CLUSTER_MODE=bare

S="${HOLISTIC_CLUSTER_DIR:-/tmp/holistic-cluster}"
S="${S%/}"
[[ "$S" == /* ]] || S="$PWD/$S"

# Non-default loopback ports, so this cluster does not collide with a default one (kind/kubeadm/system
# containerd). Only one holistic cluster runs at a time.
ETCD_CLIENT_PORT="${HOLISTIC_ETCD_PORT:-12379}"
ETCD_PEER_PORT="${HOLISTIC_ETCD_PEER_PORT:-12380}"
APISERVER_PORT="${HOLISTIC_APISERVER_PORT:-16443}"
KUBELET_PORT="${HOLISTIC_KUBELET_PORT:-10350}"
KUBELET_HEALTHZ_PORT="${HOLISTIC_KUBELET_HEALTHZ_PORT:-10348}"
CRI_STREAM_PORT="${HOLISTIC_CRI_STREAM_PORT:-10351}"
SCHEDULER_PORT="${HOLISTIC_SCHEDULER_PORT:-10359}"
CONTROLLER_MANAGER_PORT="${HOLISTIC_CONTROLLER_MANAGER_PORT:-10357}"

# Pod network: must not clash with podman's default 10.88.0.0/16.
POD_CIDR="${HOLISTIC_POD_CIDR:-10.244.0.0/24}"
SERVICE_CIDR="10.96.0.0/16"
SERVICE_IP="10.96.0.1"
CNI_BRIDGE="holistic0"
CNI_NETWORK_NAME="holistic-pods"
# kubelet's cgroup parent (cgroupfs driver, cgroup v1): every pod's processes live under it.
CGROUP_ROOT="/holistic-k8s"

CONTAINERD_SOCK="$S/containerd/containerd.sock"
PAUSE_IMAGE="localhost/holistic-pause:1"

LC_PHASE_T0=0
log() { printf '[local-cluster %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
phase_start() { LC_PHASE_NAME="$1"; LC_PHASE_T0=$(date +%s%N); log "phase $1 ..."; }
phase_end() {
  local ms=$(( ($(date +%s%N) - LC_PHASE_T0) / 1000000 ))
  log "phase $LC_PHASE_NAME done in $((ms / 1000)).$(printf '%03d' $((ms % 1000)))s"
}

ctr_() { ctr --address "$CONTAINERD_SOCK" "$@"; }
kubectl_() { "$KUBECTL" --kubeconfig "$S/kubeconfig" "$@"; }

# proc_alive PID: running and not a zombie (our daemons outlive `up`, so nobody may reap them).
proc_alive() { [[ -r /proc/$1/stat ]] && [[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]]; }
# pid_alive FILE: the pid recorded in FILE is running.
pid_alive() { [[ -f "$1" ]] && proc_alive "$(cat "$1")"; }

# The v1 cgroup hierarchies mounted under /sys/fs/cgroup (not the cgroup2 'unified' one).
cgroup_v1_dirs() {
  local d
  for d in /sys/fs/cgroup/*/; do
    d="${d%/}"
    [[ "$(basename "$d")" == unified ]] && continue
    [[ -f "$d/cgroup.procs" ]] && echo "$d"
  done
}
# Every cgroup hierarchy mounted under /sys/fs/cgroup, including cgroup2's 'unified' (where runc and the
# kubelet also create our cgroups on this hybrid layout).
cgroup_all_dirs() {
  local d
  for d in /sys/fs/cgroup/*/; do d="${d%/}"; [[ -f "$d/cgroup.procs" ]] && echo "$d"; done
}
