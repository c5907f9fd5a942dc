// The picker's wheel: a show around the server's pick, never a draw of its own. It spins while the
// request is in flight and, once the server has answered, slows down onto the segment of the student
// the server picked. The segment under the pointer is worked out from the final angle alone and kept in
// data-landed-student, so a test (or anyone) can check the wheel showed the server's pick.
import { displayName } from '/js/classes-common.js';

const TURN = Math.PI * 2;
const POINTER = -Math.PI / 2; // the pointer sits at the top of the wheel
const SPIN_TURNS_PER_SECOND = 2.5;
const COLOURS = ['#f2a93b', '#4aa3df', '#e0607e', '#5cc08f', '#a27ce6', '#f07f4f', '#3fbfbf', '#d6c34a'];

const easeOut = (t) => 1 - ((1 - t) ** 3);

export function createWheel(canvas) {
  const context = canvas.getContext('2d');
  let students = [];
  let angle = 0;
  let frame = 0;

  function size() {
    const ratio = window.devicePixelRatio || 1;
    const css = canvas.getBoundingClientRect().width || 480;
    const pixels = Math.round(css * ratio);
    if (canvas.width !== pixels) {
      canvas.width = pixels;
      canvas.height = pixels;
    }
    return pixels;
  }

  function label(student) {
    const name = displayName(student);
    return Array.from(name).length > 16 ? `${Array.from(name).slice(0, 15).join('')}…` : name;
  }

  function draw() {
    const pixels = size();
    const centre = pixels / 2;
    const radius = centre - (pixels * 0.04);
    context.clearRect(0, 0, pixels, pixels);
    if (students.length === 0) {
      return;
    }
    const segment = TURN / students.length;
    const fontSize = Math.max(pixels * 0.022, Math.min(pixels * 0.055, (radius * segment) * 0.55));
    context.save();
    context.translate(centre, centre);
    context.rotate(angle);
    students.forEach((student, index) => {
      const start = index * segment;
      context.beginPath();
      context.moveTo(0, 0);
      context.arc(0, 0, radius, start, start + segment);
      context.closePath();
      // With an odd count the last segment would meet the first in the same colour: skip one.
      const colour = index === students.length - 1 && students.length % COLOURS.length === 1 ? COLOURS[2] : COLOURS[index % COLOURS.length];
      context.fillStyle = colour;
      context.fill();
      context.strokeStyle = 'rgba(0, 0, 0, 0.35)';
      context.lineWidth = Math.max(1, pixels * 0.003);
      context.stroke();
      context.save();
      context.rotate(start + (segment / 2));
      context.textAlign = 'right';
      context.textBaseline = 'middle';
      context.fillStyle = '#15171c';
      context.font = `700 ${fontSize}px system-ui, sans-serif`;
      context.fillText(label(student), radius * 0.92, 0, radius * 0.7);
      context.restore();
    });
    context.restore();

    // The hub and the pointer do not turn.
    context.beginPath();
    context.arc(centre, centre, pixels * 0.06, 0, TURN);
    context.fillStyle = '#15171c';
    context.fill();
    context.beginPath();
    context.moveTo(centre - (pixels * 0.035), pixels * 0.005);
    context.lineTo(centre + (pixels * 0.035), pixels * 0.005);
    context.lineTo(centre, pixels * 0.085);
    context.closePath();
    context.fillStyle = '#ffffff';
    context.fill();
    context.strokeStyle = '#15171c';
    context.stroke();
  }

  /** The index of the segment under the pointer at the current angle. */
  function underPointer() {
    const segment = TURN / students.length;
    const wheelAngle = (((POINTER - angle) % TURN) + TURN) % TURN;
    return Math.min(students.length - 1, Math.floor(wheelAngle / segment));
  }

  function mark() {
    if (students.length > 0) {
      canvas.dataset.landedStudent = String(students[underPointer()].id);
    } else {
      delete canvas.dataset.landedStudent;
    }
  }

  return {
    /** The names on the wheel (the students the server may pick next), redrawn at once. */
    setStudents(list) {
      students = [...list];
      canvas.dataset.count = String(students.length);
      draw();
      mark();
    },

    get students() {
      return students;
    },

    /**
     * Spins until <paramref name="request"/> settles, then slows onto the student the server picked
     * (studentOf(result)); resolves with the request's result. Without motion it only turns to the pick.
     */
    async spinTo(request, studentOf, { reducedMotion = false } = {}) {
      window.cancelAnimationFrame(frame);
      delete canvas.dataset.landedStudent;
      canvas.classList.add('is-spinning');
      const speed = (SPIN_TURNS_PER_SECOND * TURN) / 1000;
      let last = performance.now();
      const spin = (now) => {
        angle = (angle + ((now - last) * speed)) % TURN;
        last = now;
        draw();
        frame = window.requestAnimationFrame(spin);
      };
      if (!reducedMotion) {
        frame = window.requestAnimationFrame(spin);
      }
      let result;
      try {
        result = await request;
      } catch (error) {
        canvas.classList.remove('is-spinning');
        mark();
        throw error;
      } finally {
        window.cancelAnimationFrame(frame);
      }
      const picked = studentOf(result);
      let index = students.findIndex((s) => s.id === picked.id);
      if (index < 0) {
        // Only if the roster changed since the wheel was filled: the server's pick still wins.
        students = [...students, picked];
        index = students.length - 1;
      }
      const segment = TURN / students.length;
      // Somewhere inside the segment, not always its middle, and never on a boundary.
      const inside = (index + 0.5 + ((Math.random() - 0.5) * 0.6)) * segment;
      let target = POINTER - inside;
      if (reducedMotion) {
        angle = ((target % TURN) + TURN) % TURN;
        draw();
      } else {
        while (target < angle + (1.5 * TURN)) {
          target += TURN;
        }
        const from = angle;
        const distance = target - from;
        // Slowing down from the spinning speed: an ease-out cubic starts at 3 × distance / duration.
        const duration = Math.min(4000, Math.max(1200, (3 * distance) / speed));
        await new Promise((resolve) => {
          const started = performance.now();
          const slow = (now) => {
            const t = Math.min(1, (now - started) / duration);
            angle = from + (distance * easeOut(t));
            draw();
            if (t < 1) {
              frame = window.requestAnimationFrame(slow);
            } else {
              resolve();
            }
          };
          frame = window.requestAnimationFrame(slow);
        });
        angle %= TURN;
      }
      canvas.classList.remove('is-spinning');
      mark();
      return result;
    },

    redraw: draw,
  };
}
