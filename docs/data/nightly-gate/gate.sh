set -u
export FB_RESULTS=$PWD/R FB_CONFIG=$PWD/n.ini FB_REFERENCE_NIGHTS=3 FB_THRESHOLD=10% FAULTBENCH=/work/wt/face/build/faultbench
uptime
for i in 1 2 3; do bash /work/wt/face/scripts/nightly.sh > night$i.txt 2>&1; echo "night $i: rc=$? $(head -1 night$i.txt)"; done
# inject a slowdown: a busy loop on every CPU during the night
pids=
for c in $(seq 0 $(($(nproc) - 1))); do taskset -c $c sh -c 'while :; do :; done' & pids="$pids $!"; done
bash /work/wt/face/scripts/nightly.sh > night4.txt 2>&1; rc=$?
kill $pids
echo "night 4 (slowed): rc=$rc $(head -1 night4.txt)"
uptime
