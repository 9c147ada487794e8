package io.tessera.spark;

/**
 * Where a row is, for error messages: {@code row 17 of partition 3}. The row number counts from 0
 * within the partition, in the order the operator reads the rows.
 */
final class RowPosition {
  private final int partition;
  private long row;

  RowPosition(int partition) {
    this.partition = partition;
  }

  void set(long row) {
    this.row = row;
  }

  long row() {
    return row;
  }

  @Override
  public String toString() {
    return "row " + row + " of partition " + partition;
  }
}
