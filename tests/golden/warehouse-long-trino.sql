SELECT "week" AS "day", "channel" AS "k0", "metric" AS "k1", COUNT(*) AS "n", SUM("value") AS "s0", COUNT("value") AS "c0" FROM "ads"."weekly_metrics" WHERE NOT "week" IS NULL AND "week" >= ? AND "week" < ? AND NULLIF(TRIM(BOTH ' 	
  　' FROM CAST("metric" AS VARCHAR)), '') IN (?, ?, ?, ?) GROUP BY "week", "channel", "metric" LIMIT 500001
