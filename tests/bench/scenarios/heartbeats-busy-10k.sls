# heartbeats-busy-10k.sls — NM heartbeats the RM handles when they carry
# work: 10,000 nodes heartbeating every 100 ms (100,000/s offered) while
# 100,000 containers run (10 per node, each listed in every full report
# of its node: one heartbeat in ten), held for a minute by 100 apps.  Compare with
# heartbeats-10k.sls (empty nodes).
[cluster]
duration-s = 120
heartbeat-interval-ms = 100
am-interval-ms = 1000
am-pending-interval-ms = 200

[nodes]
count = 10000
memory-mb = 16384
vcores = 16

[apps hold]
count = 100
submit-spread-s = 2
containers = 1000
duration-ms = 60000
memory-mb = 1024
