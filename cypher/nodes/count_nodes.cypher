// name: nodes/count_nodes
// params: $seqs
// returns: found (how many of the nodes numbered $seqs exist: did a failed batch land?)
UNWIND $seqs AS s
MATCH (n:TgNode {seq: s})
RETURN count(n) AS found
