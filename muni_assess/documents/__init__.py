"""Turning results into bytes and markup: charts (SVG), and later PDF, DOCX, XLSX and CSV documents."""
