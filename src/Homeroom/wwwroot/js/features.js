// The features a signed-in teacher can open. The dashboard shows one card per entry and the site
// header shows one link per entry, in this order. Add an entry only once its page really exists
// (its path mapped in Web/Pages.cs and its .html in wwwroot); until then the dashboard says that
// features will appear there.
//
// Entry shape:
//   { name: 'Classes', href: '/classes', description: 'Your classes and the students in each.' }

export const features = [
  {
    name: 'Classes',
    href: '/classes',
    description: 'Rosters and attendance, a fair student picker for the projector, groups and who gets called on.',
  },
  {
    name: 'Quizzes',
    href: '/quizzes',
    description: 'Write quizzes with six kinds of question, import them from Moodle, Kahoot or a spreadsheet, and share them.',
  },
  {
    name: 'Assignments',
    href: '/assignments',
    description: 'Homework from a quiz: students play it on their phones at their own pace before a deadline; follow who has finished.',
  },
  {
    name: 'Reports',
    href: '/reports',
    description: 'Every game you hosted and every assignment: who needs help, which questions were hard, each student’s trend; download for Excel.',
  },
  {
    name: 'Places',
    href: '/places',
    description: 'The nearest libraries, museums and trip spots on a map, open now or not; add your own places.',
  },
];
