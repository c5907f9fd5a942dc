// The host screen's sound, made in the browser with the Web Audio API: no audio files, so nothing to
// license and nothing for the projector to download. Four cues: a looping lobby tune while players join,
// a tick for each of the last five seconds of a question, a chord when the answers are revealed and a
// fanfare for the podium. One switch turns it all off, remembered by the browser (localStorage).
//
// Browsers only let a page make sound after a person has clicked or pressed a key on it, so the
// AudioContext is made at the first such gesture (unlock()), never before: a context made earlier would
// start suspended and Chromium would warn about it in the console.
//
// Each cue played is announced as a 'homeroom:sound' event on document (detail: { cue, ... }) after its
// notes are scheduled: the browser tests listen to it, and a page could show it.

const STORAGE_KEY = 'homeroom.host.sound';
const VOLUME = 0.22;
const LOOKAHEAD_S = 0.4;
const SCHEDULER_MS = 100;

// A bright, simple tune in C major (MIDI note, beats): eight bars that loop, over a walking bass.
const LOBBY_BPM = 116;
const LOBBY_TUNE = [
  [72, 0.5], [76, 0.5], [79, 0.5], [76, 0.5], [77, 0.5], [81, 0.5], [79, 1],
  [76, 0.5], [79, 0.5], [84, 0.5], [79, 0.5], [77, 0.5], [74, 0.5], [72, 1],
  [74, 0.5], [77, 0.5], [81, 0.5], [77, 0.5], [76, 0.5], [79, 0.5], [84, 1],
  [83, 0.5], [79, 0.5], [77, 0.5], [74, 0.5], [72, 1], [0, 1],
];
const LOBBY_BASS = [[48, 2], [45, 2], [41, 2], [43, 2], [48, 2], [45, 2], [41, 2], [43, 2]];

const frequency = (midi) => 440 * (2 ** ((midi - 69) / 12));

function readSetting() {
  try {
    return window.localStorage.getItem(STORAGE_KEY) !== 'off';
  } catch {
    return true;
  }
}

function announce(cue, extra = {}) {
  document.dispatchEvent(new CustomEvent('homeroom:sound', { detail: { cue, ...extra } }));
}

/** The host screen's sound. on: the switch (on unless the browser remembers it off). */
export function createSound() {
  let on = readSetting();
  let context = null;
  let master = null;
  /** The scene asked for ('lobby' or null): the music plays whenever it is asked for and sound can play. */
  let scene = null;
  let music = null;
  const listeners = new Set();

  const changed = () => listeners.forEach((listener) => listener());

  function note(midi, at, length, { type = 'triangle', gain = 0.5, attack = 0.01, release = 0.08, destination = master } = {}) {
    const oscillator = context.createOscillator();
    const envelope = context.createGain();
    oscillator.type = type;
    oscillator.frequency.setValueAtTime(frequency(midi), at);
    envelope.gain.setValueAtTime(0, at);
    envelope.gain.linearRampToValueAtTime(gain, at + attack);
    envelope.gain.setValueAtTime(gain, Math.max(at + attack, at + length - release));
    envelope.gain.linearRampToValueAtTime(0, at + length);
    oscillator.connect(envelope).connect(destination);
    oscillator.start(at);
    oscillator.stop(at + length + 0.02);
  }

  function startMusic() {
    if (music || !context || !on || scene !== 'lobby') {
      return;
    }
    // The music has a bus of its own, so stopping it cuts the notes already scheduled.
    const bus = context.createGain();
    bus.gain.value = 0.55;
    bus.connect(master);
    const beat = 60 / LOBBY_BPM;
    const voices = [
      { notes: LOBBY_TUNE, index: 0, at: context.currentTime + 0.1, options: { type: 'triangle', gain: 0.45 } },
      { notes: LOBBY_BASS, index: 0, at: context.currentTime + 0.1, options: { type: 'sine', gain: 0.6, release: 0.2 } },
    ];
    const schedule = () => {
      for (const voice of voices) {
        while (voice.at < context.currentTime + LOOKAHEAD_S) {
          const [midi, beats] = voice.notes[voice.index];
          if (midi > 0) {
            note(midi, voice.at, beats * beat * 0.92, { ...voice.options, destination: bus });
          }
          voice.at += beats * beat;
          voice.index = (voice.index + 1) % voice.notes.length;
        }
      }
    };
    schedule();
    music = { bus, timer: window.setInterval(schedule, SCHEDULER_MS) };
    announce('lobby');
  }

  function stopMusic() {
    if (!music) {
      return;
    }
    window.clearInterval(music.timer);
    const { bus } = music;
    bus.gain.setTargetAtTime(0, context.currentTime, 0.05);
    window.setTimeout(() => bus.disconnect(), 400);
    music = null;
    announce('lobby-end');
  }

  /** True when a cue may sound now: switched on and allowed by the browser. */
  const ready = () => on && context !== null;

  return {
    get on() {
      return on;
    },

    /** Whether the browser has let the page make sound yet (after the first click or key press). */
    get unlocked() {
      return context !== null;
    },

    /** Calls listener whenever the switch or the unlocked state changes. */
    onChange(listener) {
      listeners.add(listener);
    },

    /** Call from a click or key press: makes (or resumes) the AudioContext, if the sound is on. */
    unlock() {
      if (context) {
        if (context.state === 'suspended') {
          context.resume();
        }
        return;
      }
      if (!on) {
        return;
      }
      const AudioContextType = window.AudioContext || window.webkitAudioContext;
      if (!AudioContextType) {
        return;
      }
      context = new AudioContextType();
      master = context.createGain();
      master.gain.value = VOLUME;
      master.connect(context.destination);
      if (context.state === 'suspended') {
        context.resume();
      }
      startMusic();
      changed();
    },

    /** Turns the sound on or off and remembers it. Call from the click or key press that asks for it. */
    setOn(value) {
      on = value;
      try {
        window.localStorage.setItem(STORAGE_KEY, on ? 'on' : 'off');
      } catch {
        // Storage refused (a private window): the switch still works until the page is left.
      }
      if (on) {
        this.unlock();
        if (context) {
          master.gain.setTargetAtTime(VOLUME, context.currentTime, 0.02);
          startMusic();
        }
      } else if (context) {
        stopMusic();
        master.gain.setTargetAtTime(0, context.currentTime, 0.02);
      }
      changed();
    },

    /** What the screen shows: 'lobby' plays the lobby music (as soon as sound can play); null stops it. */
    scene(name) {
      scene = name;
      if (scene === 'lobby') {
        startMusic();
      } else {
        stopMusic();
      }
    },

    /** One tick of the countdown; seconds is what the screen shows (5 … 1), the last one higher. */
    tick(seconds) {
      if (!ready()) {
        return;
      }
      const at = context.currentTime + 0.01;
      note(seconds <= 1 ? 88 : 81, at, 0.09, { type: 'square', gain: 0.28, attack: 0.004, release: 0.06 });
      announce('countdown', { seconds });
    },

    /** The answers are revealed: a bright major chord, struck and left to ring. */
    reveal() {
      if (!ready()) {
        return;
      }
      const at = context.currentTime + 0.02;
      [60, 64, 67, 72].forEach((midi, k) => {
        note(midi, at + (k * 0.03), 1.3, { type: 'triangle', gain: 0.32, attack: 0.015, release: 0.9 });
      });
      announce('reveal');
    },

    /** The podium: a short brassy fanfare ending on a held chord. */
    fanfare() {
      if (!ready()) {
        return;
      }
      const at = context.currentTime + 0.05;
      const beat = 0.16;
      const line = [[67, 1], [67, 1], [67, 1], [72, 3], [67, 1], [72, 1], [76, 6]];
      let t = at;
      for (const [midi, beats] of line) {
        note(midi, t, beats * beat * 0.9, { type: 'sawtooth', gain: 0.18, attack: 0.02, release: 0.08 });
        note(midi - 12, t, beats * beat * 0.9, { type: 'triangle', gain: 0.25, attack: 0.02, release: 0.08 });
        t += beats * beat;
      }
      [60, 64, 67, 72].forEach((midi) => {
        note(midi, t, 1.6, { type: 'triangle', gain: 0.22, attack: 0.03, release: 1.1 });
      });
      announce('fanfare');
    },
  };
}
