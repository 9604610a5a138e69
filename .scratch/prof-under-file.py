import json,sys,collections
p=json.load(open(sys.argv[1])); target=sys.argv[2]
nodes={n['id']:n for n in p['nodes']}
parent={}
for n in p['nodes']:
    for c in n.get('children',[]): parent[c]=n['id']
self_time=collections.Counter()
for s,d in zip(p['samples'],p['timeDeltas']): self_time[s]+=d
sub=collections.Counter()
for nid,t in self_time.items():
    x=nid
    while x is not None:
        if target in nodes[x]['callFrame']['url']: break
        x=parent.get(x)
    if x is None: continue
    cf=nodes[nid]['callFrame']; sub[(cf['functionName'] or '(anon)')+' '+cf['url'].split('node_modules/')[-1][:60]+':'+str(cf['lineNumber'])]+=t
for k,v in sub.most_common(25): print(f"{v/1000:8.1f} {k}")
