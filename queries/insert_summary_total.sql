INSERT INTO summary_totals
VALUES ($upload_id, $sheet, $excel_row, $region, $month, $total, $completed, $stated_rate)
