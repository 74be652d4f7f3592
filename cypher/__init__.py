"""Cypher statements for the neo4j store, one named statement per *.cypher file."""
