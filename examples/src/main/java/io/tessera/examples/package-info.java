/** Runnable programs that the README points at; each is checked by a test on small data. */
package io.tessera.examples;
