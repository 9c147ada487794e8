package io.tessera.compiler.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class TemporaryLiveRangesTest {
  @Test
  void rangesFollowUsesAndValuesComputedFromTemporariesThroughPhis() {
    String[] steps = {
        // step 0: writes %t0
        "  store float 1.0, ptr %t0, align 4\n",
        // step 1: a loop whose pointer phi starts at %t1 and is advanced from its own value
        "  br label %loop.2\nloop.2:\n  %p.3 = phi ptr [ %t1, %entry ], [ %p.next.4, %loop.2 ]\n"
            + "  %p.next.4 = getelementptr inbounds float, ptr %p.3, i64 1\n"
            + "  %x.5 = load float, ptr %t0, align 4\n  br i1 true, label %loop.2, label %out.6\nout.6:\n",
        // step 2: nothing about temporaries
        "  %y.7 = fadd float 1.0, 2.0\n",
        // step 3: reads through the phi's successor, which came from %t1
        "  %z.8 = load float, ptr %p.next.4, align 4\n"};
    StringBuilder body = new StringBuilder();
    int[] starts = new int[steps.length];
    for (int s = 0; s < steps.length; s++) {
      starts[s] = body.length();
      body.append(steps[s]);
    }
    List<TemporaryLiveRanges.Steps> ranges =
        TemporaryLiveRanges.of(body.toString(), starts, List.of("%t0", "%t1", "%t2"));
    assertEquals(new TemporaryLiveRanges.Steps(0, 1), ranges.get(0));
    assertEquals(new TemporaryLiveRanges.Steps(1, 3), ranges.get(1), "the pointer computed from %t1 is used at step 3");
    assertNull(ranges.get(2), "%t2 is never used");
  }

  @Test
  void longerNamesThatStartLikeATemporaryAreNotIt() {
    String body = "  %t1.5 = fadd float 1.0, 2.0\n  %t10 = fadd float 1.0, 2.0\n";
    List<TemporaryLiveRanges.Steps> ranges = TemporaryLiveRanges.of(body, new int[] {0}, List.of("%t1"));
    assertNull(ranges.get(0));
  }
}
