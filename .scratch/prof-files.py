import json,sys,collections
p=json.load(open(sys.argv[1]))
nodes={n['id']:n for n in p['nodes']}
parent={}
for n in p['nodes']:
    for c in n.get('children',[]): parent[c]=n['id']
self_time=collections.Counter()
for s,d in zip(p['samples'],p['timeDeltas']): self_time[s]+=d
# attribute self time to the nearest ancestor frame whose url is in /src/ (app code) else to package of the leaf
byapp=collections.Counter()
for nid,t in self_time.items():
    x=nid; app=None
    while x is not None:
        u=nodes[x]['callFrame']['url']
        if '/work/main/src/' in u and 'main.ts' not in u: app=u.split('/work/main/')[-1]+' '+nodes[x]['callFrame']['functionName']; break
        x=parent.get(x)
    if app is None:
        u=nodes[nid]['callFrame']['url']
        app='[pkg] '+(u.split('node_modules/')[-1].split('/')[0]+'/'+u.split('node_modules/')[-1].split('/')[1] if 'node_modules' in u else (u or nodes[nid]['callFrame']['functionName']))
    byapp[app]+=t
for k,v in byapp.most_common(45): print(f"{v/1000:8.1f} {k}")
