package io.tessera.compiler.pass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.Verifier;
import io.tessera.compiler.pass.BufferAssignment.Buffer;
import io.tessera.compiler.pass.BufferAssignment.Kind;
import io.tessera.compiler.pass.BufferAssignment.Member;
import io.tessera.compiler.pass.BufferAssignment.Sharing;
import io.tessera.compiler.pass.BufferAssignment.Slot;
import io.tessera.compiler.pass.BufferAssignment.Value;
import io.tessera.compiler.testing.RandomPrograms;
import io.tessera.compiler.text.HloParser;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays the schedule against the assignment: every storage place (a slot, an output, a
 * parameter, a constant) holds one value at a time; an instruction reads its operands, then
 * writes its values. The assignment is right when every read finds the value it wants still there
 * (a slot reused too early, or an update in place of a value still needed, would fail here).
 */
class BufferAssignmentPropertyTest {

  static Stream<Long> seeds() {
    return LongStream.range(0, 150).boxed();
  }

  static Stream<Path> corpus() throws IOException, URISyntaxException {
    return PassNumericsTest.corpus();
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void randomProgramsBeforeAndAfterTheCpuPipeline(long seed) {
    Module m = RandomPrograms.generate(seed);
    replay(BufferAssignment.assign(m), "seed " + seed + " unoptimized");
    Pipelines.cpuDefault().run(m);
    replay(BufferAssignment.assign(m), "seed " + seed + " after the cpu pipeline");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void corpusModulesAfterTheCpuPipeline(Path file) throws IOException {
    Module m = HloParser.parse(Files.readString(file));
    assumeTrue(Verifier.problems(m).isEmpty(), file.getFileName() + " does not verify (a parser test case)");
    replay(BufferAssignment.assign(m), file.getFileName().toString());
    if (PassNumericsTest.unsupported(m) == null) {
      Pipelines.cpuDefault().run(m);
      replay(BufferAssignment.assign(m), file.getFileName() + " after the cpu pipeline");
    }
  }

  /** A storage place: what kind, and which one. */
  private record Place(Kind kind, Object which) {}

  static void replay(BufferAssignment a, String what) {
    Map<Value, Buffer> bufferOfOwner = new HashMap<>();
    for (Buffer b : a.buffers()) {
      for (Member m : b.members()) {
        bufferOfOwner.put(m.value(), b);
      }
    }
    Map<Place, Value> occupant = new HashMap<>();
    int t = 0;
    for (Instruction i : a.schedule()) {
      Set<Place> read = new HashSet<>();
      if (i.opcode() != Opcode.GET_TUPLE_ELEMENT) {
        for (Instruction op : i.operands()) {
          for (Value v : a.valuesOf(op)) {
            Value stored = storedValue(bufferOfOwner.get(v), v);
            Place p = place(bufferOfOwner.get(v));
            if (occupant.get(p) != stored) {
              fail(what + ": %" + i.name() + " (position " + t + ") reads " + v + " but its storage holds "
                  + occupant.get(p));
            }
            read.add(p);
          }
        }
      }
      for (Value v : a.valuesOf(i)) {
        Buffer b = bufferOfOwner.get(v);
        Member m = b.members().stream().filter(x -> x.value().equals(v)).findFirst().orElseThrow();
        if (v.instruction() == i && m.sharing() != Sharing.ALIASES) {
          if (read.contains(place(b)) && m.sharing() != Sharing.IN_PLACE) {
            fail(what + ": %" + i.name() + " (position " + t + ") writes " + v + " over its own operand "
                + occupant.get(place(b)) + " without being an in-place update");
          }
          occupant.put(place(b), v);
        }
      }
      t++;
    }
    for (BufferAssignment.Output o : a.outputs()) {
      if (!o.copy()) {
        assertEquals(storedValue(o.buffer(), o.value()), occupant.get(place(o.buffer())),
            what + ": output " + o.index());
      }
    }
    checkSlots(a, what);
  }

  /** The value whose bytes {@code v} is: itself, or what it aliases. */
  private static Value storedValue(Buffer b, Value v) {
    Value stored = null;
    for (Member m : b.members()) {
      if (m.sharing() != Sharing.ALIASES) {
        stored = m.value();
      }
      if (m.value().equals(v)) {
        return stored;
      }
    }
    throw new AssertionError(v + " is not in " + b);
  }

  private static Place place(Buffer b) {
    return switch (b.kind()) {
      case TEMPORARY -> new Place(Kind.TEMPORARY, b.number());
      case OUTPUT -> new Place(Kind.OUTPUT, b.number());
      default -> new Place(b.kind(), b.id());
    };
  }

  private static void checkSlots(BufferAssignment a, String what) {
    long rows = 7;
    long[] offsets = a.slotOffsets(rows);
    Set<Buffer> placed = new HashSet<>();
    for (Slot s : a.slots()) {
      for (Buffer b : s.buffers()) {
        assertTrue(b.size().at(rows) <= s.size().at(rows), what + ": " + b + " is larger than slot " + s.index());
        assertEquals(Kind.TEMPORARY, b.kind(), what);
        placed.add(b);
      }
      long end = offsets[s.index()] + s.size().at(rows);
      long next = s.index() + 1 < offsets.length ? offsets[s.index() + 1] : a.temporaryBytes(rows);
      assertTrue(end <= next && offsets[s.index()] % BufferAssignment.ALIGNMENT == 0, what + ": slot " + s.index());
    }
    for (Buffer b : a.buffers()) {
      assertEquals(b.kind() == Kind.TEMPORARY, placed.contains(b), what + ": " + b);
    }
    List<Buffer> temporaries = a.buffers().stream().filter(b -> b.kind() == Kind.TEMPORARY).toList();
    assertEquals(temporaries.size(), placed.size(), what);
  }
}
