import json,sys,collections
p=json.load(open(sys.argv[1])); skip=float(sys.argv[2])*1e6; mode=sys.argv[3] if len(sys.argv)>3 else 'files'
nodes={n['id']:n for n in p['nodes']}
parent={}
for n in p['nodes']:
    for c in n.get('children',[]): parent[c]=n['id']
t=0; self_time=collections.Counter(); total=0
for s,d in zip(p['samples'],p['timeDeltas']):
    t+=d
    if t<skip: continue
    self_time[s]+=d; total+=d
busy=sum(v for k,v in self_time.items() if nodes[k]['callFrame']['functionName']!='(idle)')
print('window ms',total/1000,'busy ms',busy/1000)
def key(x):
    cf=nodes[x]['callFrame']; return (cf['functionName'] or '(anon)')+' '+cf['url'].split('/')[-1]+':'+str(cf['lineNumber'])
if mode=='files':
    byapp=collections.Counter()
    for nid,tt in self_time.items():
        x=nid; app=None
        while x is not None:
            u=nodes[x]['callFrame']['url']
            if '/work/main/src/' in u and 'main.ts' not in u: app=u.split('/work/main/')[-1]+' '+nodes[x]['callFrame']['functionName']; break
            x=parent.get(x)
        if app is None:
            u=nodes[nid]['callFrame']['url']
            app='[pkg] '+(u.split('node_modules/')[-1].split('/')[0]+'/'+u.split('node_modules/')[-1].split('/')[1] if 'node_modules' in u else (u or nodes[nid]['callFrame']['functionName']))
        byapp[app]+=tt
    for k,v in byapp.most_common(int(sys.argv[4]) if len(sys.argv)>4 else 40): print(f"{v/1000:8.1f} {k}")
else:
    incl=collections.Counter()
    for nid,tt in self_time.items():
        seen=set(); x=nid
        while x is not None:
            k=key(x)
            if k not in seen: incl[k]+=tt; seen.add(k)
            x=parent.get(x)
    for k,v in incl.most_common(int(sys.argv[4]) if len(sys.argv)>4 else 40): print(f"{v/1000:8.1f} {k}")
