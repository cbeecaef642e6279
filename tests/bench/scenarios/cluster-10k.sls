# cluster-10k.sls — a 10,000-node cluster running 1,000 applications
# over 4 queues.  Nodes of 16 GB / 16 vcores (160,000 one-GB slots); each
# app runs 800 tasks of 5-15 s, 200 at a time, so every queue asks for
# more than its guarantee (prod 80,000 slots for a 40% = 64,000 slot
# guarantee, ...) and the cluster stays full for about 40 s (the shares
# are only judged while it is: once apps finish and the cluster drains,
# no queue is held back and shares say nothing about fairness).
# Node heartbeats every second (weft-nm's default), AMs every second
# (every 250 ms while they wait for grants).  Apps are submitted over the
# first 10 s; queue shares are judged from 15 s to 35 s.
[cluster]
duration-s = 240
heartbeat-interval-ms = 1000
am-interval-ms = 1000
am-pending-interval-ms = 250
fairness-from-s = 15
fairness-to-s = 35

[rm]
rm.max-completed-applications = 2000

[queues]
root.queues = prod, dev, adhoc, default
root.prod.capacity = 40
root.dev.capacity = 30
root.adhoc.capacity = 20
root.default.capacity = 10
root.prod.maximum-capacity = 100
root.dev.maximum-capacity = 100
root.adhoc.maximum-capacity = 100
root.default.maximum-capacity = 100
user-limit-factor = 10
maximum-am-resource-percent = 0.2

[nodes]
count = 10000
memory-mb = 16384
vcores = 16
rack-size = 40

[queue root.prod]
guarantee = 40
[queue root.dev]
guarantee = 30
[queue root.adhoc]
guarantee = 20
[queue root.default]
guarantee = 10

[apps prod]
count = 400
queue = prod
user = etl
submit-spread-s = 10
containers = 800
parallel = 200
duration-ms = 5000-15000
[apps dev]
count = 300
queue = dev
user = dev
submit-spread-s = 10
containers = 800
parallel = 200
duration-ms = 5000-15000
[apps adhoc]
count = 200
queue = adhoc
user = analyst
submit-spread-s = 10
containers = 800
parallel = 200
duration-ms = 5000-15000
[apps default]
count = 100
queue = default
submit-spread-s = 10
containers = 800
parallel = 200
duration-ms = 5000-15000
