/**
 * {@code tessera arrow-apply}: a module over every row of an Arrow IPC file (file or stream
 * format), batch by batch, into a new file holding the input columns and the results.
 */
package io.tessera.arrow.tools;
