# rss-100k.sls — the RM's memory with 10,000 nodes and 100,000 running
# containers: 100 apps hold 1,000 containers each for two minutes
# (10 per node on 16 GB / 16 vcore nodes), then finish.  Read the
# report's peak RSS (VmHWM).
[cluster]
duration-s = 300
heartbeat-interval-ms = 1000
am-interval-ms = 1000
am-pending-interval-ms = 200

[rm]

[nodes]
count = 10000
memory-mb = 16384
vcores = 16

[apps hold]
count = 100
submit-spread-s = 5
containers = 1000
duration-ms = 120000
memory-mb = 1024
