"""The report's numbers: the statistics tables parsed into cells (``report_stat``) and
checked the way evaluators check them (``report_stat_summary``); see README."""
