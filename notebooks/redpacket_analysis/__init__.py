"""Fraud analysis of a redpacket campaign run: reusable queries for the numbered notebooks.

Detection reads only what a real deployment logs: settlement's Parquet logs (opens, credits, rejects) and the
edge gateway's access log. The simulator's ground truth (crowd/users.avro, crowd/actions.csv, insider.avro) is
read by :mod:`redpacket_analysis.truth` only, to measure precision and recall.
"""

from redpacket_analysis.logs import RunLogs, load_run, run_dir_from_env

__all__ = ["RunLogs", "load_run", "run_dir_from_env"]
