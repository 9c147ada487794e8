package io.tessera.spark;

import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.ShapeException;
import io.tessera.compiler.hlo.VerificationException;
import io.tessera.compiler.hlo.Verifier;
import io.tessera.compiler.text.HloParseException;
import io.tessera.compiler.text.HloParser;
import io.tessera.compiler.text.HloPrinter;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A verified HLO module as a query plan carries it: the HLO text travels (it is what gets
 * serialized to executors), the parsed {@link Module} is rebuilt lazily wherever it is needed.
 * The module describes one row (ARCHITECTURE.md).
 *
 * <p>Loading reads the text on the driver: from a string, from a file or URI through Hadoop's
 * file systems ({@code file:}, {@code hdfs:}, {@code s3a:}, ...), or from a module built in Java.
 * Errors are {@link InvalidModuleException}s that give {@code line:col} in the text for parse
 * errors and for every verifier problem that names an instruction.
 *
 * <p>Equality is by text: two plans using the same module text are the same plan.
 */
public final class TesseraModule implements Serializable {
  private static final long serialVersionUID = 1L;

  /** A module text is rarely over a few MB; a "path" this long is surely text that lacks a header. */
  private static final int MAX_PATH_LENGTH = 4096;

  private final String text;
  private final String name;
  private final String source;
  private final String fingerprint;
  private transient volatile Module module;

  private TesseraModule(String text, String source, Module module) {
    this.text = text;
    this.source = source;
    this.module = module;
    this.name = module.name();
    this.fingerprint = sha256(text);
  }

  /**
   * Parses and verifies HLO text.
   *
   * @throws InvalidModuleException with {@code line:col} for a parse error or a verifier problem
   */
  public static TesseraModule fromText(String text) {
    return new TesseraModule(text, "<text>", parseAndVerify(text, ""));
  }

  /**
   * Reads, parses and verifies the {@code .hlo} file at {@code pathOrUri} (any Hadoop file system).
   *
   * @throws InvalidModuleException when the file cannot be read or holds an invalid module; parse
   *     errors start with {@code path:line:col}
   */
  public static TesseraModule fromFile(String pathOrUri, Configuration hadoopConf) {
    String text = readFile(pathOrUri, hadoopConf);
    return new TesseraModule(text, pathOrUri, parseAndVerify(text, pathOrUri + ":"));
  }

  /**
   * A module built in Java (e.g. with {@link io.tessera.compiler.hlo.Builder}); it is verified
   * and then carried as its printed text.
   */
  public static TesseraModule fromModule(Module module) {
    try {
      Verifier.verify(module);
    } catch (VerificationException e) {
      throw new InvalidModuleException(e.getMessage(), e);
    }
    String text = HloPrinter.print(module);
    return new TesseraModule(text, "<built " + module.name() + ">", module);
  }

  /**
   * What the first argument of {@code tessera_apply} holds: HLO text when it looks like a module
   * (it has {@code HloModule}, {@code ENTRY} or a brace), otherwise a path or URI of a file.
   */
  public static TesseraModule fromTextOrPath(String textOrPath, Configuration hadoopConf) {
    String s = textOrPath.strip();
    boolean looksLikeText = s.contains("HloModule") || s.contains("ENTRY") || s.indexOf('{') >= 0
        || s.indexOf('\n') >= 0 || s.length() > MAX_PATH_LENGTH;
    if (s.isEmpty()) {
      throw new InvalidModuleException("the module argument is empty: give HLO text or the path of an .hlo file");
    }
    return looksLikeText ? fromText(textOrPath) : fromFile(s, hadoopConf);
  }

  /** The module's name, from its {@code HloModule} header. */
  public String name() {
    return name;
  }

  /** The HLO text, as given (or as printed, for a module built in Java). */
  public String text() {
    return text;
  }

  /** Where the text came from: a path, {@code <text>}, or {@code <built NAME>}. */
  public String source() {
    return source;
  }

  /** SHA-256 of the text in hex: names the module in caches and logs. */
  public String fingerprint() {
    return fingerprint;
  }

  /**
   * The parsed module. Parsed again after deserialization, once per copy; callers must not change
   * it (it is shared).
   */
  public Module module() {
    Module m = module;
    if (m == null) {
      synchronized (this) {
        m = module;
        if (m == null) {
          // Verified on the driver already; text that parsed there parses here.
          m = HloParser.parse(text);
          module = m;
        }
      }
    }
    return m;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TesseraModule other && fingerprint.equals(other.fingerprint) && text.equals(other.text);
  }

  @Override
  public int hashCode() {
    return fingerprint.hashCode();
  }

  @Override
  public String toString() {
    return name;
  }

  private static Module parseAndVerify(String text, String where) {
    Module parsed;
    try {
      parsed = HloParser.parse(text);
    } catch (HloParseException e) {
      throw new InvalidModuleException(where + e.getMessage(), e);
    } catch (ShapeException e) {
      throw new InvalidModuleException(where + e.getMessage(), e);
    }
    try {
      Verifier.verify(parsed);
    } catch (VerificationException e) {
      throw new InvalidModuleException(located(parsed.name(), e.problems(), text, where), e);
    }
    return parsed;
  }

  // "%name in computation %c: ..." or "%name: ..." — the instruction a verifier problem is about.
  private static final Pattern PROBLEM_SUBJECT = Pattern.compile("^%([\\w.\\-]+)");

  /**
   * The verifier's problems, each prefixed with the {@code line:col} of the instruction it names
   * (where the text defines it), so that an editor can jump there.
   */
  static String located(String moduleName, List<String> problems, String text, String where) {
    List<String> lines = new ArrayList<>();
    for (String problem : problems) {
      Matcher m = PROBLEM_SUBJECT.matcher(problem);
      String position = m.find() ? definitionPosition(text, m.group(1)) : null;
      lines.add(where + (position != null ? position + ": " : "") + problem);
    }
    String header = "module " + moduleName + " is not valid HLO";
    return lines.size() == 1 ? header + ": " + lines.get(0) : header + " (" + lines.size() + " problems):\n  "
        + String.join("\n  ", lines);
  }

  /** {@code line:col} (1-based) of the definition {@code [ROOT] [%]name = ...} in {@code text}, or null. */
  static String definitionPosition(String text, String instructionName) {
    Pattern definition = Pattern.compile("^[ \\t]*(?:ROOT[ \\t]+)?(%?" + Pattern.quote(instructionName) + ")[ \\t]*=",
        Pattern.MULTILINE);
    Matcher m = definition.matcher(text);
    if (!m.find()) {
      return null;
    }
    int offset = m.start(1);
    int line = 1;
    int lineStart = 0;
    for (int i = 0; i < offset; i++) {
      if (text.charAt(i) == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    return line + ":" + (offset - lineStart + 1);
  }

  private static String readFile(String pathOrUri, Configuration hadoopConf) {
    try {
      Path path = new Path(pathOrUri);
      FileSystem fs = path.getFileSystem(hadoopConf);
      try (InputStream in = fs.open(path)) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    } catch (IOException | IllegalArgumentException e) {
      throw new InvalidModuleException("cannot read HLO module file " + pathOrUri + ": " + e, e);
    }
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** A module that cannot be read, parsed or verified. The message says where and why. */
  public static final class InvalidModuleException extends IllegalArgumentException {
    InvalidModuleException(String message) {
      super(message);
    }

    InvalidModuleException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
