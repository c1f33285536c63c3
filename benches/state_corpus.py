"""Write N CloudTrail ListSecrets records, each by a different principal, at
100 records per second of event time from 2026-01-01: the input that fills
the first-seen state with N entries (BENCHMARKS.md, "State (issue 13)").

    python3 benches/state_corpus.py 1000000 > /tmp/state1m.ndjson
"""
import sys
n=int(sys.argv[1])
out=sys.stdout
tpl='{"eventVersion":"1.08","eventSource":"secretsmanager.amazonaws.com","eventName":"ListSecrets","eventTime":"2026-01-%02dT%02d:%02d:%02dZ","awsRegion":"us-east-1","recipientAccountId":"123456789012","eventID":"%08x-1c2d-4e5f-8a9b-%012x","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/person-%07d"}}\n'
buf=[]
for i in range(n):
    s=i//100  # 100 records per second of event time
    buf.append(tpl%(1+s//86400,(s//3600)%24,(s//60)%60,s%60,i,i*7919,i))
    if len(buf)>=10000:
        out.write(''.join(buf)); buf=[]
out.write(''.join(buf))
