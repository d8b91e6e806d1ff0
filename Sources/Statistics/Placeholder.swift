enum StatisticsModule {}
