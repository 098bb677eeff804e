package dev.tollgate.compose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class HeapRoomTest {

    @Test
    void kubernetesQuantitiesAreBinaryWithAnIAndDecimalWithout() {
        assertThat(HeapRoom.kubernetesMib("768Mi")).isEqualTo(768);
        assertThat(HeapRoom.kubernetesMib("1Gi")).isEqualTo(1024);
        assertThat(HeapRoom.kubernetesMib("512M")).isEqualTo(488);
        assertThat(HeapRoom.kubernetesMib("1G")).isEqualTo(953);
        assertThat(HeapRoom.kubernetesMib("1048576")).isEqualTo(1);
    }

    @Test
    void composeSizesAreBinary() {
        assertThat(HeapRoom.composeMib("768M")).isEqualTo(768);
        assertThat(HeapRoom.composeMib("2G")).isEqualTo(2048);
        assertThatThrownBy(() -> HeapRoom.composeMib("lots")).hasMessageContaining("lots");
    }

    @Test
    void theHeapPercentageIsTheCommandsOrTheJvmsDefault() {
        assertThat(HeapRoom.percentage("java -XX:MaxRAMPercentage=60 -jar x.jar")).isEqualTo(60);
        assertThat(HeapRoom.percentage(List.of("java", "-cp", "/app/role.jar"))).isEqualTo(25);
        assertThat(HeapRoom.percentage(List.of())).isEqualTo(HeapRoom.imagePercentage());
        assertThat(HeapRoom.imagePercentage()).isBetween(1, 100);
    }

    @Test
    void whatTheHeapLeaves() {
        assertThat(HeapRoom.besideTheHeap(512, 75)).isEqualTo(128);
        assertThat(HeapRoom.besideTheHeap(512, 50)).isEqualTo(256);
        assertThat(HeapRoom.besideTheHeap(768, 50)).isEqualTo(384);
    }
}
