import json,sys,collections
p=json.load(open(sys.argv[1])); target=sys.argv[2]
nodes={n['id']:n for n in p['nodes']}
parent={}
for n in p['nodes']:
    for c in n.get('children',[]): parent[c]=n['id']
self_time=collections.Counter()
for s,d in zip(p['samples'],p['timeDeltas']): self_time[s]+=d
def key(x):
    cf=nodes[x]['callFrame']; return (cf['functionName'] or '(anon)')+' '+cf['url'].split('/')[-1]+':'+str(cf['lineNumber'])
# self time of functions that have target as ancestor
sub=collections.Counter(); tot=0
for nid,t in self_time.items():
    x=nid; found=False
    while x is not None:
        if key(x)==target: found=True;break
        x=parent.get(x)
    if found: sub[key(nid)]+=t; tot+=t
print('total under',target,tot/1000)
for k,v in sub.most_common(20): print(f"{v/1000:8.1f} {k}")
