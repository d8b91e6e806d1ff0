enum ResultsModule {}
