# burst-100k.sls — 100,000 one-second containers at once: 100 apps of
# 1,000 tasks each, all asked for at the start, on 10,000 nodes of
# 16 GB / 16 vcores (160,000 1 GB slots, so everything fits at once):
# the allocation rate is the RM's, not the cluster's size.  AMs poll
# every 100 ms while they wait, as a latency-sensitive AM would.
[cluster]
duration-s = 180
heartbeat-interval-ms = 1000
am-interval-ms = 100
am-pending-interval-ms = 50

[rm]

[nodes]
count = 10000
memory-mb = 16384
vcores = 16

[apps burst]
count = 100
containers = 1000
duration-ms = 1000
memory-mb = 1024
