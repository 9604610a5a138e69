import json,sys,collections
p=json.load(open(sys.argv[1]))
nodes={n['id']:n for n in p['nodes']}
parent={}
for n in p['nodes']:
    for c in n.get('children',[]): parent[c]=n['id']
self_time=collections.Counter()
for s,d in zip(p['samples'],p['timeDeltas']): self_time[s]+=d
incl=collections.Counter()
for nid,t in self_time.items():
    seen=set(); x=nid
    while x is not None:
        cf=nodes[x]['callFrame']; key=(cf['functionName'] or '(anon)')+' '+cf['url'].split('/')[-1]+':'+str(cf['lineNumber'])
        if key not in seen: incl[key]+=t; seen.add(key)
        x=parent.get(x)
busy=sum(t for nid,t in self_time.items() if nodes[nid]['callFrame']['functionName'] not in ('(idle)',))
print('busy ms',busy/1000)
for k,v in incl.most_common(int(sys.argv[2]) if len(sys.argv)>2 else 40): print(f"{v/1000:8.1f} {k}")
