/**
 * The backend SPI: {@link io.tessera.compiler.backend.Backend} compiles a module into an
 * {@link io.tessera.compiler.backend.Executable}, which runs on native buffers
 * ({@link io.tessera.compiler.backend.Buffers}: address and byte length each, host or device
 * memory) without copying them, after checking them against its
 * {@link io.tessera.compiler.backend.ExecutableSignature}. {@link
 * io.tessera.compiler.backend.CompileCache} compiles each distinct module once per JVM.
 */
package io.tessera.compiler.backend;
