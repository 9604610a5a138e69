import json,sys,collections
p=json.load(open(sys.argv[1]))
nodes={n['id']:n for n in p['nodes']}
self_time=collections.Counter()
# samples and timeDeltas
dt=p['timeDeltas']; samples=p['samples']
for s,d in zip(samples,dt):
    self_time[s]+=d
parent={}
for n in p['nodes']:
    for c in n.get('children',[]): parent[c]=n['id']
total=sum(dt)
# self by function
byfn=collections.Counter()
for nid,t in self_time.items():
    cf=nodes[nid]['callFrame']; byfn[(cf['functionName'] or '(anon)')+' '+cf['url'].split('/')[-1]+':'+str(cf['lineNumber'])]+=t
print('total ms',total/1000)
for k,v in byfn.most_common(25): print(f"{v/1000:8.1f} {k}")
# inclusive by url package
incl=collections.Counter()
for nid,t in self_time.items():
    seen=set(); x=nid
    while x is not None:
        u=nodes[x]['callFrame']['url']
        key=u.split('node_modules/')[-1].split('/')[0] if 'node_modules' in u else ('src' if '/src/' in u else u[-40:])
        if key not in seen: incl[key]+=t; seen.add(key)
        x=parent.get(x)
print('--- inclusive by package')
for k,v in incl.most_common(15): print(f"{v/1000:8.1f} {k}")
