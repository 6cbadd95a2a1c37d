// MNIST's image side, which a drawing is framed to (drawing-to-28x28.js).

export const SIDE = 28;
export const PIXELS = SIDE * SIDE;
