// name: trust/publish_trust_generation
// params: $snapshot, $expected, $gen
// returns: gen (no row when the live generation is no longer $expected: nothing changed)
MATCH (s:TgSnapshot {id: $snapshot})
WHERE s.trustGen = $expected
SET s.trustGen = $gen
RETURN s.trustGen AS gen
