import hashlib, json, sys

FIELDS = ["v", "chainId", "sequence", "eventId", "eventType", "sourceTopic", "sourcePartition",
          "sourceOffset", "sourceTimestamp", "occurredAt", "producer", "requestId", "agentId",
          "environment", "action", "resource", "repository", "decision", "reason",
          "policyVersion", "outcome", "errorClass", "context", "previousHash"]

def quote(s):
    out = ['"']
    for c in s:
        if c == '"': out.append('\\"')
        elif c == '\\': out.append('\\\\')
        elif c in '\b\f\n\r\t': out.append({'\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t'}[c])
        elif ord(c) < 0x20: out.append('\\u%04x' % ord(c))
        else: out.append(c)
    out.append('"')
    return ''.join(out)

def canonical(rec):
    parts = []
    fields = FIELDS if rec["v"] == 1 else FIELDS[:9] + ["sourceCluster"] + FIELDS[9:]
    for f in fields:
        v = rec[f]
        parts.append(quote(f) + ':' + ('null' if v is None else str(v) if isinstance(v, int) else quote(v)))
    return '{' + ','.join(parts) + '}'

heads = {}
lines = [(n, json.loads(line)) for n, line in enumerate(open(sys.argv[1], encoding='utf-8'), 1)]
for n, rec in sorted(lines, key=lambda l: (l[1]["chainId"], l[1]["sequence"])):  # exports: time order
    seq, prev = heads.get(rec["chainId"], (0, "0" * 64))
    # a tombstone (erased under retention) keeps its record's hash: links only
    h = rec["hash"] if rec.get("erasedAt") else hashlib.sha256(canonical(rec).encode('utf-8')).hexdigest()
    if rec["sequence"] != seq + 1 or rec["previousHash"] != prev or rec["hash"] != h:
        sys.exit(f"line {n}: {rec['chainId']}#{rec['sequence']} breaks the chain")
    heads[rec["chainId"]] = (rec["sequence"], h)
for chain, (seq, h) in sorted(heads.items()):
    print(chain, seq, h)
